"""The partner API across real processes: an operator adds a partner with the `minhu
partner` command, the partner's system files a request over HTTP (once, again, and once
GBK-encoded), the live server signs and sends each state change to the partner's webhook
(a real HTTP receiver here), and a supervisor reads the partners and outbox pages."""

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from minhu.outbox.tests.receiver import Receiver, start

from .conftest import ROOT


def _minhu(live_city, *args) -> str:
    done = subprocess.run([sys.executable, "-m", "minhu.cli", *args], cwd=ROOT,
                          env=live_city.env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _post(url, key, data: bytes) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=data, method="POST", headers={
        "Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


@pytest.fixture
def webhook():
    hook = Receiver()
    server = start(hook)
    yield hook
    server.shutdown()
    server.server_close()


def test_a_partner_files_over_http_hears_back_signed_and_shows_on_the_pages(
        live_city, webhook, open_as):
    code = f"wx-{os.getpid()}-{int(time.time()) % 100000}"
    added = _minhu(live_city, "partner", "add", code, "--name", "云州12345小程序（联调）",
                   "--channel", "wechat", "--webhook", webhook.url)
    webhook.secret = added.splitlines()[2]
    key = _minhu(live_city, "partner", "issue-key", code).splitlines()[1]
    url = live_city.base_url + "/api/v1/partner/requests"
    body = json.dumps({"partner_id": "WX-E2E-1", "content": "锦绣家园3号楼电梯坏了😣",
                       "request_type": "complaint", "citizen_phone": "13912345678",
                       "community": "DC0101"}, ensure_ascii=False).encode()

    status, first = _post(url, key, body)
    assert status == 201 and first["stage"] == "received"
    status, again = _post(url, key, body)
    assert status == 200 and again["number"] == first["number"]
    status, refused = _post(url, key, '{"partner_id": "WX-E2E-2", "content": "路灯"}'
                            .encode("gbk"))
    assert status == 400 and refused["code"] == "bad_encoding"

    # The jobs run inside the request on this server: the update has already arrived.
    assert [r.headers["X-Minhu-Event"] for r in webhook.requests] == ["register"]
    _minhu(live_city, "order", "dispatch", first["number"], "--as", "dispatcher1",
           "lead_unit=DC01")
    payloads = [json.loads(r.body) for r in webhook.requests]
    assert [(p["event"], p["state"], p["partner_id"]) for p in payloads] == [
        ("register", "registered", "WX-E2E-1"), ("dispatch", "dispatched", "WX-E2E-1")]
    assert all(webhook.verified(r) for r in webhook.requests)

    supervisor = open_as("supervisor1")
    supervisor.opens("/partners/")
    row = supervisor.page.locator(f"tr[data-partner='{code}']")
    assert row.locator(".created-today").inner_text() == "1"
    assert row.locator(".rejected-today").inner_text() == "1"
    assert "bad_encoding" in supervisor.main_text()
    supervisor.opens(f"/outbox/?endpoint=partner-{code}")
    health = supervisor.page.locator(f"tr[data-endpoint='partner-{code}']")
    assert "正常" in health.inner_text()

    open_as("agent1").opens("/partners/", status=403)
