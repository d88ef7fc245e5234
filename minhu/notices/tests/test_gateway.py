"""The HTTP gateway backend against a real HTTP server on a local thread."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from minhu.notices.outgoing import send_sms

from .helpers import OTP


class Gateway(BaseHTTPRequestHandler):
    received: list = []
    status = 200
    delay = 0.0

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append({"auth": self.headers.get("Authorization"),
                                    "json": json.loads(body)})
        if self.delay:
            time.sleep(self.delay)
        payload = json.dumps({"id": "gw-42"} if self.status == 200 else {"error": "内部错误"},
                             ensure_ascii=False).encode()
        try:
            self.send_response(self.status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout test)

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway(settings):
    Gateway.received, Gateway.status, Gateway.delay = [], 200, 0.0
    server = ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.MINHU_SMS_BACKEND = "minhu.notices.backends.gateway.HttpGatewayBackend"
    settings.MINHU_SMS_GATEWAY_URL = f"http://127.0.0.1:{server.server_port}/sms/send"
    settings.MINHU_SMS_GATEWAY_TOKEN = "gw-secret-token"
    settings.MINHU_SMS_GATEWAY_TIMEOUT = 0.5
    yield Gateway
    server.shutdown()
    server.server_close()


def send(django_capture_on_commit_callbacks, key):
    with django_capture_on_commit_callbacks(execute=True):
        message = send_sms("13812345678", "portal_otp", OTP, key=key)
    message.refresh_from_db()
    return message


def test_the_gateway_gets_json_with_a_bearer_token_and_its_id_is_kept(
        db, gateway, django_capture_on_commit_callbacks):
    message = send(django_capture_on_commit_callbacks, "gw:ok")
    assert message.status == "sent" and message.provider_id == "gw-42"
    assert message.backend == "minhu.notices.backends.gateway.HttpGatewayBackend"
    [request] = gateway.received
    assert request["auth"] == "Bearer gw-secret-token"
    assert request["json"] == {"to": "13812345678", "text": message.text,
                               "signature": "【云州12345】", "message_id": str(message.pk)}


def test_a_server_error_is_a_failure_with_the_error_kept(
        db, gateway, django_capture_on_commit_callbacks):
    gateway.status = 500
    message = send(django_capture_on_commit_callbacks, "gw:500")
    assert message.status == "queued" and message.attempts == 1
    assert message.last_error.startswith("短信网关返回 HTTP 500：")
    assert "内部错误" in message.last_error
    assert message.next_attempt_at > message.created_at


def test_a_gateway_that_does_not_answer_in_time_is_a_failure(
        db, gateway, django_capture_on_commit_callbacks):
    gateway.delay = 2.0
    message = send(django_capture_on_commit_callbacks, "gw:slow")
    assert message.status == "queued"
    assert message.last_error == "短信网关超时（0.5 秒）"


def test_an_unreachable_gateway_is_a_failure(db, settings, gateway,
                                             django_capture_on_commit_callbacks):
    settings.MINHU_SMS_GATEWAY_URL = "http://127.0.0.1:9/sms/send"  # discard port: closed
    message = send(django_capture_on_commit_callbacks, "gw:down")
    assert message.status == "queued"
    assert message.last_error.startswith("短信网关连接失败：ConnectionError")
    assert "gw-secret-token" not in message.last_error


def test_a_gateway_without_an_address_fails_clearly(db, settings, gateway,
                                                    django_capture_on_commit_callbacks):
    settings.MINHU_SMS_GATEWAY_URL = ""
    message = send(django_capture_on_commit_callbacks, "gw:unset")
    assert message.last_error == "未配置短信网关地址 MINHU_SMS_GATEWAY_URL"
