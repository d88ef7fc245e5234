"""The simulated provincial platform on its own: the push it sends down, and its checks
on what it receives."""

import json
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from minhu.exchange import simulator
from minhu.outbox import signing

from .processes import SECRET


class _Minhu(BaseHTTPRequestHandler):
    """Stands in for Minhu's province API: remembers what it got, answers 201."""

    received: list = []

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.path, self.headers["Authorization"], json.loads(body)))
        answer = json.dumps({"city_no": "YZ20261123000001", "created": True}).encode()
        self.send_response(201)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)


@pytest.fixture
def fake_minhu():
    _Minhu.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Minhu)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _Minhu.received
    server.shutdown()
    server.server_close()


def test_the_push_subcommand_sends_the_province_payload_with_its_token(fake_minhu, capsys):
    base_url, received = fake_minhu
    code = simulator.main(["push", "--base-url", base_url, "--token", "mh_secret",
                           "--number", "GS202611230301", "--deadline",
                           "2026-11-28T18:00:00+08:00", "--content", "路灯不亮",
                           "--category", "0503", "--phone", "13812345678"])
    assert code == 0
    path, auth, body = received[0]
    assert path == "/api/v1/province/orders" and auth == "Bearer mh_secret"
    assert body == simulator.build_push(
        "GS202611230301", "2026-11-28T18:00:00+08:00", "路灯不亮", category_code="0503",
        phone="13812345678")
    assert capsys.readouterr().out.startswith("201 ")


def _post(sim, body: bytes, headers: dict):
    request = urllib.request.Request(sim.url + "/updates", data=body, headers=headers,
                                     method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_the_simulator_keeps_each_delivery_once_and_refuses_forged_ones(simulator):
    update = {"province_no": "GS1", "seq": 1, "event": "register", "status": "01"}
    body = signing.encode_body(update)
    good = signing.headers(7, "register", 1_790_000_000, SECRET, body)
    assert _post(simulator, body, good) == (200, {"ok": True, "duplicate": False})
    assert _post(simulator, body, good) == (200, {"ok": True, "duplicate": True})
    forged = {**good, "X-Minhu-Signature": signing.signature("guess", 1_790_000_000, body)}
    assert _post(simulator, body, forged)[0] == 401
    assert [u["delivery_id"] for u in simulator.updates("GS1")] == ["7"]
    assert simulator.stats()["duplicates"] == 1
    assert simulator.stats()["bad_signatures"] == 1
