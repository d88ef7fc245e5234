"""Citizens opt out (reply TD, or the link in a message); codes they ask for still go."""

import pytest
from django.test import Client
from django.urls import reverse

from minhu.notices.links import optout_token
from minhu.notices.models import InboundSms, OptOut
from minhu.notices.optout import is_opted_out, opt_back_in, opt_out
from minhu.notices.outgoing import send_sms

from .helpers import OTP

PHONE = "13812345678"
REGISTERED = {"number": "YZ20260301000001", "track_url": "https://x/t"}
SECRET = "inbound-shared-secret"


@pytest.fixture
def inbound(settings):
    settings.MINHU_SMS_INBOUND_SECRET = SECRET

    def post(data=None, *, body=None, secret=SECRET, content_type="application/json"):
        import json

        raw = body if body is not None else json.dumps(data, ensure_ascii=False).encode()
        headers = {"HTTP_X_MINHU_GATEWAY_SECRET": secret} if secret is not None else {}
        return Client().post(reverse("notices:sms_inbound"), raw, content_type=content_type,
                             **headers)

    return post


def test_an_opted_out_citizen_gets_no_notifications_but_still_gets_codes(
        db, sms_outbox, django_capture_on_commit_callbacks):
    opt_out(PHONE, "sms_reply")
    with django_capture_on_commit_callbacks(execute=True):
        notification = send_sms(PHONE, "order_registered", REGISTERED, key="reg:opted")
        code = send_sms(PHONE, "portal_otp", OTP, key="otp:opted")
    notification.refresh_from_db()
    code.refresh_from_db()
    assert (notification.status, notification.last_error) == ("suppressed", "收件人已退订")
    assert code.status == "sent"
    assert [m["template"] for m in sms_outbox] == ["portal_otp"]


def test_opting_out_after_queueing_stops_the_retry(db, at, sms_outbox):
    from minhu.notices.delivery import deliver

    message = send_sms(PHONE, "order_registered", REGISTERED, key="reg:late-optout")
    opt_out(PHONE, "link")
    assert deliver(message.pk) == "suppressed"
    assert sms_outbox == []


def test_opting_back_in_restores_notifications_and_keeps_the_history(db):
    opt_out(PHONE, "link")
    assert opt_back_in("+86 138 1234 5678") is True
    assert opt_back_in(PHONE) is False
    row = OptOut.objects.get(address=PHONE)
    assert row.active is False and row.opted_in_at is not None
    assert send_sms(PHONE, "order_registered", REGISTERED, key="reg:back").status == "queued"
    opt_out(PHONE, "sms_reply")
    assert OptOut.objects.get(address=PHONE).source == "sms_reply" and is_opted_out(PHONE)


def test_an_unknown_opt_out_source_is_refused(db):
    from minhu.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        opt_out(PHONE, "guess")


# --- the page behind the link in every notification ------------------------------------


def test_the_link_in_a_message_opens_a_confirmation_page_and_the_button_opts_out(db):
    client = Client(enforce_csrf_checks=True)
    url = reverse("notices:optout", args=[optout_token(PHONE)])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "138****5678" in html and PHONE not in html
    assert "确认退订" in html and 'lang="zh-hans"' in html
    assert not is_opted_out(PHONE)  # opening the link (or a link scanner) changes nothing

    token = client.cookies["csrftoken"].value
    done = client.post(url, {"action": "opt_out", "csrfmiddlewaretoken": token})
    assert "已退订" in done.content.decode()
    assert OptOut.objects.get(address=PHONE).source == "link"

    again = client.post(url, {"action": "back_in", "csrfmiddlewaretoken": token})
    assert "已恢复接收通知短信" in again.content.decode() and not is_opted_out(PHONE)


def test_the_opt_out_button_needs_the_csrf_token(db):
    client = Client(enforce_csrf_checks=True)
    url = reverse("notices:optout", args=[optout_token(PHONE)])
    assert client.post(url, {"action": "opt_out"}).status_code == 403
    assert not is_opted_out(PHONE)


@pytest.mark.parametrize("token", ["forged", optout_token(PHONE)[:-2] + "xx",
                                   "<script>alert(1)<\\script>", "x" * 2000])
def test_a_forged_link_opts_nobody_out(db, token):
    client = Client()
    response = client.get(f"/notify/optout/{token}/")
    assert response.status_code == 404
    assert "链接无效" in response.content.decode()
    assert client.post(f"/notify/optout/{token}/", {"action": "opt_out"}).status_code == 404
    assert not OptOut.objects.exists()


# --- replies through the gateway -----------------------------------------------------------


@pytest.mark.parametrize("reply", ["TD", "td", "退订", " ＴＤ ", "T"])
def test_replying_td_opts_the_citizen_out(db, inbound, reply):
    response = inbound({"from": PHONE, "text": reply})
    assert response.status_code == 200 and response.json() == {"ok": True,
                                                                "action": "opted_out"}
    assert OptOut.objects.get(address=PHONE).source == "sms_reply"
    assert InboundSms.objects.get().action == "opted_out"


def test_other_replies_are_kept_but_change_nothing(db, inbound):
    response = inbound({"from": "+8613812345678", "text": "谢谢，问题已经解决了 👍"})
    assert response.json()["action"] == "ignored"
    assert not is_opted_out(PHONE)
    assert InboundSms.objects.get().text == "谢谢，问题已经解决了 👍"


def test_form_encoded_replies_are_accepted(db, inbound):
    response = inbound(body=f"from={PHONE}&text=TD".encode(),
                       content_type="application/x-www-form-urlencoded")
    assert response.json()["action"] == "opted_out"


@pytest.mark.parametrize(("kwargs", "status", "code"), [
    ({"data": {"from": PHONE, "text": "TD"}, "secret": "wrong"}, 403, "bad_secret"),
    ({"data": {"from": PHONE, "text": "TD"}, "secret": None}, 403, "bad_secret"),
    ({"body": "{\"from\": \"13812345678\", \"text\": \"退订\"}".encode("gbk")}, 400, "bad_request"),
    ({"body": b"{not json"}, 400, "bad_request"),
    ({"body": b"[1, 2]"}, 400, "bad_request"),
    ({"body": b"x" * 5000}, 413, "too_large"),
    ({"data": {"from": PHONE, "text": ""}}, 422, "missing_text"),
    ({"data": {"from": PHONE, "text": "字" * 501}}, 422, "too_long"),
    ({"data": {"from": PHONE}}, 422, "missing_text"),
    ({"data": {"from": "<script>", "text": "TD"}}, 422, "invalid_phone"),
    ({"data": {"text": "TD"}}, 422, "invalid_phone"),
])
def test_bad_inbound_requests_get_a_clear_error(db, inbound, kwargs, status, code):
    response = inbound(**kwargs)
    assert response.status_code == status
    assert response.json()["code"] == code and response.json()["message"]
    assert not OptOut.objects.exists() and not InboundSms.objects.exists()


def test_inbound_is_refused_until_a_secret_is_configured(db, inbound, settings):
    settings.MINHU_SMS_INBOUND_SECRET = ""
    response = inbound({"from": PHONE, "text": "TD"}, secret="")
    assert response.status_code == 503 and response.json()["code"] == "inbound_disabled"
