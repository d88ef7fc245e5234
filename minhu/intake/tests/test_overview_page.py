"""The 一网归集 overview: volumes per channel, refused payloads, audited reading, retry."""

from django.test import Client

from minhu.audit.models import AuditEntry
from minhu.intake.actions import receive, reject
from minhu.intake.models import RawIntake, RawStatus
from minhu.orders.states import Channel


def _signed_in(city, username):
    client = Client()
    client.force_login(city.user(username))
    return client


def test_supervisor_sees_channel_volumes_and_the_refused_payloads(city, new_order):
    new_order(channel=Channel.QR)
    raw = receive(Channel.PARTNER, body="{bad json", source="wechat", external_id="W-9")
    reject(raw, "bad_json", "请求体不是有效的 JSON")
    page = _signed_in(city, "supervisor1").get("/intake/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "一网归集" in html and 'data-channel="qr"' in html
    assert "bad_json" in html and "W-9" in html


def test_reading_a_raw_payload_is_audited_and_shows_it_as_received(city):
    raw = receive(Channel.PARTNER, body='{"content": "<script>alert(1)</script>"}',
                  content_type="application/json", source="wechat")
    page = _signed_in(city, "supervisor1").get(f"/intake/{raw.pk}/")
    assert page.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.content.decode()
    assert AuditEntry.objects.filter(action="view_raw_intake", object_id=str(raw.pk),
                                     actor__username="supervisor1").exists()


def test_a_unit_handler_cannot_read_raw_payloads(city):
    raw = receive(Channel.PARTNER, body="13812345678 的投诉", source="wechat")
    client = _signed_in(city, "dc01_handler")
    assert client.get("/intake/").status_code == 403
    assert client.get(f"/intake/{raw.pk}/").status_code == 403
    assert not AuditEntry.objects.filter(action="view_raw_intake").exists()


def test_a_missing_record_says_so_in_chinese(city):
    page = _signed_in(city, "supervisor1").get("/intake/999999/")
    assert page.status_code == 404 and "接入记录不存在" in page.content.decode()


def test_retrying_a_payload_of_a_channel_without_a_parser_explains_why(city, monkeypatch):
    from minhu.intake import actions

    monkeypatch.delitem(actions.PARSERS, Channel.HOTLINE, raising=False)
    raw = receive(Channel.HOTLINE, body="路灯不亮", source="old-hotline")
    RawIntake.objects.filter(pk=raw.pk).update(status=RawStatus.FAILED)
    client = _signed_in(city, "supervisor1")
    page = client.post(f"/intake/{raw.pk}/retry/", follow=True)
    assert "该渠道不支持自动重试" in page.content.decode()
    raw.refresh_from_db()
    assert raw.status == RawStatus.FAILED
