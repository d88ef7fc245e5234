"""A small stand-in for the provincial 12345 platform, run as its own process.

    python -m minhu.exchange.simulator --port 8790 --db province.sqlite3 --secret S
    python -m minhu.exchange.simulator push --base-url http://127.0.0.1:8000 --token T \\
        --number GS202611210001 --deadline 2026-11-28T18:00:00+08:00 --content "……"

Serving, it receives the city's updates like the real platform would:

* ``POST /updates``: checks ``X-Minhu-Signature`` (HMAC-SHA256 of ``"{timestamp}.{body}"``),
  stores each delivery once by ``X-Minhu-Delivery`` (a re-sent one is answered 200 and
  counted as a duplicate) and records the order of arrival;
* ``GET /updates?province_no=…``: the stored updates in arrival order;
* ``GET /stats``: counts (received, duplicates, bad signatures, out of order);
* ``POST /control`` ``{"down": true}`` makes it answer 503 (an outage without stopping
  the process); ``{"fail_after_store": n}`` stores the next n updates but answers 500 (a
  lost 2xx: the sender must retry and the receiver must not count it twice);
* ``GET /health``: 200, or 503 while down.

Only the standard library is used, so it starts fast and needs no Django settings.
``build_push`` is the order payload the province pushes down, shared with the tests.
"""

import argparse
import hashlib
import hmac
import json
import signal
import sqlite3
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

MAX_BODY = 1024 * 1024

SCHEMA = """
CREATE TABLE IF NOT EXISTS updates (
    arrival INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id TEXT NOT NULL UNIQUE,
    province_no TEXT NOT NULL,
    seq INTEGER,
    event TEXT,
    status TEXT,
    received_at REAL NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS updates_by_number ON updates (province_no, arrival);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""


def build_push(number: str, deadline: str, content: str, *, title: str = "",
               type_code: str = "03", category_code: str = "", urgency_code: str = "1",
               citizen_name: str = "", phone: str = "", anonymous: bool = False,
               address: str = "", lat: float | None = None, lng: float | None = None) -> dict:
    """An order as the province pushes it down (field names of the province's API)."""
    body = {"province_no": number, "deadline": deadline, "title": title, "content": content,
            "type_code": type_code, "category_code": category_code,
            "urgency_code": urgency_code,
            "citizen": {"name": citizen_name, "phone": phone, "anonymous": anonymous},
            "address": address}
    if lat is not None and lng is not None:
        body.update(lat=lat, lng=lng)
    return body


def sign(secret: str, timestamp: str, body: bytes) -> str:
    message = f"{timestamp}.".encode() + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


class Store:
    """The province's side: updates by delivery id, in arrival order (SQLite file)."""

    def __init__(self, path: str):
        self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        # WAL without a sync per insert: a stand-in, fast enough not to be the bottleneck.
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)
        self.lock = threading.Lock()

    def bump(self, name: str, by: int = 1) -> None:
        self.db.execute("INSERT INTO counters VALUES (?, ?) ON CONFLICT(name) "
                        "DO UPDATE SET value = value + ?", (name, by, by))

    def add(self, delivery_id: str, update: dict, body: bytes) -> bool:
        """Store once; False if this delivery id was stored before."""
        number = str(update.get("province_no") or "")
        seq = update.get("seq") if isinstance(update.get("seq"), int) else None
        with self.lock:
            if self.db.execute("SELECT 1 FROM updates WHERE delivery_id = ?",
                               (delivery_id,)).fetchone():
                self.bump("duplicates")
                return False
            last = self.db.execute("SELECT MAX(seq) FROM updates WHERE province_no = ?",
                                   (number,)).fetchone()[0]
            if seq is not None and last is not None and seq <= last:
                self.bump("out_of_order")
            self.db.execute(
                "INSERT INTO updates (delivery_id, province_no, seq, event, status, "
                "received_at, body) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (delivery_id, number, seq, str(update.get("event") or ""),
                 str(update.get("status") or ""), time.time(), body.decode("utf-8")))
            self.bump("received")
            return True

    def updates(self, number: str | None) -> list[dict]:
        sql = "SELECT arrival, delivery_id, body FROM updates"
        args: tuple = ()
        if number:
            sql += " WHERE province_no = ?"
            args = (number,)
        with self.lock:
            rows = self.db.execute(sql + " ORDER BY arrival", args).fetchall()
        return [{"arrival": a, "delivery_id": d, **json.loads(b)} for a, d, b in rows]

    def counters(self) -> dict:
        with self.lock:
            rows = dict(self.db.execute("SELECT name, value FROM counters").fetchall())
        return {name: rows.get(name, 0) for name in
                ("received", "duplicates", "bad_signatures", "out_of_order")}


class Province:
    """Flags that make the platform misbehave on purpose (kept in memory)."""

    def __init__(self, store: Store, secret: str, max_skew: int):
        self.store = store
        self.secret = secret
        self.max_skew = max_skew
        self.down = False
        self.fail_after_store = 0
        self.lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    server_version = "ProvinceSimulator/1"
    province: Province  # set on the class by ``serve``

    def log_message(self, format, *args):  # quiet: tests read the API, not the log
        pass

    def _send(self, status: int, data: dict) -> None:
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _body(self) -> bytes | None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            return None
        if length < 0 or length > MAX_BODY:
            return None
        return self.rfile.read(length)

    def do_GET(self):
        url = urlparse(self.path)
        p = self.province
        if url.path == "/health":
            self._send(503 if p.down else 200, {"down": p.down})
        elif url.path == "/updates":
            number = (parse_qs(url.query).get("province_no") or [None])[0]
            self._send(200, {"updates": p.store.updates(number)})
        elif url.path == "/stats":
            self._send(200, {**p.store.counters(), "down": p.down,
                             "fail_after_store": p.fail_after_store})
        else:
            self._send(404, {"code": "not_found"})

    def do_POST(self):
        url = urlparse(self.path)
        body = self._body()
        if body is None:
            self._send(413, {"code": "payload_too_large"})
        elif url.path == "/updates":
            self._receive(body)
        elif url.path == "/control":
            self._control(body)
        else:
            self._send(404, {"code": "not_found"})

    def _control(self, body: bytes) -> None:
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            self._send(400, {"code": "bad_json"})
            return
        p = self.province
        with p.lock:
            if "down" in data:
                p.down = bool(data["down"])
            if "fail_after_store" in data:
                p.fail_after_store = max(int(data["fail_after_store"]), 0)
        self._send(200, {"down": p.down, "fail_after_store": p.fail_after_store})

    def _receive(self, body: bytes) -> None:
        p = self.province
        if p.down:
            self._send(503, {"code": "unavailable", "message": "省级平台维护中"})
            return
        stamp = self.headers.get("X-Minhu-Timestamp", "")
        given = self.headers.get("X-Minhu-Signature", "")
        fresh = stamp.isdigit() and (not p.max_skew or abs(time.time() - int(stamp))
                                     <= p.max_skew)
        if not fresh or not hmac.compare_digest(sign(p.secret, stamp, body), given):
            p.store.bump("bad_signatures")
            self._send(401, {"code": "bad_signature", "message": "签名校验失败"})
            return
        delivery_id = self.headers.get("X-Minhu-Delivery", "")
        try:
            update = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            update = None
        if not delivery_id or not isinstance(update, dict):
            self._send(400, {"code": "bad_request", "message": "缺少推送编号或内容无效"})
            return
        stored = p.store.add(delivery_id, update, body)
        with p.lock:
            lose_answer = stored and p.fail_after_store > 0
            if lose_answer:
                p.fail_after_store -= 1
        if lose_answer:
            self._send(500, {"code": "internal_error"})
        else:
            self._send(200, {"ok": True, "duplicate": not stored})


def serve(host: str, port: int, db: str, secret: str, max_skew: int) -> None:
    Handler.province = Province(Store(db), secret, max_skew)
    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    # The first line tells a parent process (the tests) where to find us.
    print(f"READY {server.server_address[0]}:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()


def push(base_url: str, token: str, body: dict, timeout: float = 10) -> tuple[int, dict]:
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(
        base_url.rstrip("/") + "/api/v1/province/orders", data=data, method="POST",
        headers={"Content-Type": "application/json; charset=utf-8",
                 "Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        try:
            return exc.code, json.loads(exc.read() or b"{}")
        except ValueError:
            return exc.code, {}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["push"]:
        parser = argparse.ArgumentParser(prog="simulator push",
                                         description="向民呼下派一张省级工单")
        parser.add_argument("--base-url", required=True)
        parser.add_argument("--token", required=True)
        parser.add_argument("--number", required=True)
        parser.add_argument("--deadline", required=True, help="ISO 8601，如 "
                            "2026-11-28T18:00:00+08:00")
        parser.add_argument("--content", required=True)
        parser.add_argument("--title", default="")
        parser.add_argument("--type", dest="type_code", default="03")
        parser.add_argument("--category", dest="category_code", default="")
        parser.add_argument("--urgency", dest="urgency_code", default="1")
        parser.add_argument("--citizen-name", default="")
        parser.add_argument("--phone", default="")
        parser.add_argument("--address", default="")
        args = vars(parser.parse_args(argv[1:]))
        base_url, token = args.pop("base_url"), args.pop("token")
        body = build_push(args.pop("number"), args.pop("deadline"), args.pop("content"),
                          **args)
        status, answer = push(base_url, token, body)
        print(status, json.dumps(answer, ensure_ascii=False))
        return 0 if 200 <= status < 300 else 1
    parser = argparse.ArgumentParser(prog="simulator", description="模拟省级 12345 平台")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8790, help="0 picks a free port")
    parser.add_argument("--db", required=True, help="SQLite file for received updates")
    parser.add_argument("--secret", required=True, help="the endpoint's signing secret")
    parser.add_argument("--max-skew", type=int, default=300,
                        help="seconds a timestamp may differ from now; 0 turns it off")
    args = parser.parse_args(argv)
    serve(args.host, args.port, args.db, args.secret, args.max_skew)
    return 0


if __name__ == "__main__":
    sys.exit(main())
