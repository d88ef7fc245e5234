"""A real HTTP receiver on 127.0.0.1 in a thread, for tests that send deliveries."""

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from minhu.outbox import signing


@dataclass
class Received:
    headers: dict
    body: bytes


@dataclass
class Receiver:
    secret: str = "s3cret-收件"
    # Status codes answered in turn; the last one repeats.
    statuses: list = field(default_factory=lambda: [200])
    requests: list = field(default_factory=list)
    url: str = ""

    def answer(self) -> int:
        return self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]

    def verified(self, item: Received) -> bool:
        return signing.verify(self.secret, item.headers.get("X-Minhu-Timestamp"), item.body,
                              item.headers.get("X-Minhu-Signature"))

    @property
    def delivery_ids(self) -> list[str]:
        return [r.headers["X-Minhu-Delivery"] for r in self.requests]


def start(receiver: Receiver):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            receiver.requests.append(Received(dict(self.headers.items()), body))
            status = receiver.answer()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.end_headers()
            self.wfile.write("收到".encode() if status < 300 else "系统维护中".encode())

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/minhu"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server


@pytest.fixture(name="receiver")
def receiver_fixture():
    """A receiver listening for the length of one test."""
    rec = Receiver()
    server = start(rec)
    yield rec
    server.shutdown()
    server.server_close()
