"""send_sms / send_email: written with the caller's change, delivered after commit, once."""

import json
import logging

import pytest
from django.core import mail
from django.db import transaction

from minhu.core.errors import ValidationFailed
from minhu.notices.models import MessageTemplate, OutgoingMessage
from minhu.notices.outgoing import send_email, send_sms

from .helpers import OTP, last_message


def test_a_one_time_code_is_sent_after_commit_and_readable_by_callers(
        db, sms_outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = send_sms("13812345678", "portal_otp", OTP, key="otp:1")
        assert sms_outbox == []  # nothing leaves before the commit
    assert "362514" in last_message("13812345678", "portal_otp").text
    message.refresh_from_db()
    assert message.status == "sent" and message.attempts == 1 and message.sent_at
    assert message.provider_id == f"locmem-{message.pk}"
    assert [(m["to"], m["signature"]) for m in sms_outbox] == [("13812345678", "【云州12345】")]


def test_the_same_key_sends_only_once(db, sms_outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = send_sms("13812345678", "portal_otp", OTP, key="otp:dup")
        second = send_sms("13812345678", "portal_otp", {"code": "999999", "minutes": 5},
                          key="otp:dup")
    assert first is not None and second is None
    assert OutgoingMessage.objects.filter(key="otp:dup").count() == 1
    assert len(sms_outbox) == 1 and "362514" in sms_outbox[0]["text"]


def test_a_rolled_back_change_sends_nothing(db, sms_outbox, django_capture_on_commit_callbacks):
    with (django_capture_on_commit_callbacks(execute=True) as callbacks,
          pytest.raises(RuntimeError), transaction.atomic()):
        send_sms("13812345678", "order_registered",
                 {"number": "YZ1", "track_url": "https://x/t"}, key="reg:rolled-back")
        raise RuntimeError("the registration failed after the SMS was queued")
    assert callbacks == []
    assert not OutgoingMessage.objects.filter(key="reg:rolled-back").exists()
    assert sms_outbox == []


def test_delivering_twice_sends_once(db, sms_outbox):
    from minhu.notices.delivery import deliver

    message = send_sms("13812345678", "portal_otp", OTP, key="otp:twice")
    assert deliver(message.pk) == "sent"
    assert deliver(message.pk) is None
    assert len(sms_outbox) == 1


def test_messages_that_are_not_transactional_end_with_the_opt_out_hint(db):
    otp = send_sms("13812345678", "portal_otp", OTP, key="otp:hint")
    registered = send_sms("13812345678", "order_registered",
                          {"number": "YZ20260301000001", "track_url": "https://x/t"},
                          key="reg:hint")
    assert "退订" not in otp.text
    assert "YZ20260301000001" in registered.text
    assert "回复TD退订" in registered.text
    assert "https://12345.yunzhou.example/notify/optout/" in registered.text


def test_a_deactivated_template_suppresses_the_message(db, sms_outbox,
                                                       django_capture_on_commit_callbacks):
    MessageTemplate.objects.filter(code="order_registered").update(is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        message = send_sms("13812345678", "order_registered",
                           {"number": "YZ1", "track_url": "https://x/t"}, key="reg:off")
    assert message.status == "suppressed" and message.last_error == "模板已停用"
    assert sms_outbox == []


def test_an_unknown_template_is_a_developer_error(db):
    with pytest.raises(ValueError, match="unknown message template 'no_such'"):
        send_sms("13812345678", "no_such", {}, key="x:1")
    with pytest.raises(ValueError, match="is for sms, not email"):
        send_email("zhang@example.com", "portal_otp", OTP, key="x:2")


def test_a_missing_context_field_names_the_field(db):
    with pytest.raises(ValueError, match="needs context minutes"):
        send_sms("13812345678", "portal_otp", {"code": "1"}, key="x:3")


def test_a_key_is_required(db):
    with pytest.raises(ValueError, match="non-empty key"):
        send_sms("13812345678", "portal_otp", OTP, key="  ")
    with pytest.raises(ValueError, match="longer than"):
        send_sms("13812345678", "portal_otp", OTP, key="k" * 161)


@pytest.mark.parametrize(("phone", "code"), [
    ("", "missing_phone"),
    ("   ", "missing_phone"),
    ("1381234567", "invalid_phone"),          # ten digits
    ("0571-88001234", "invalid_phone"),       # a landline cannot take SMS
    ("1" * 40, "invalid_phone"),
    ("138😀12345678", "invalid_phone"),
    ("<script>alert(1)</script>", "invalid_phone"),
    ("13812345678".encode("gbk"), "invalid_phone"),
    ("电话１３８", "invalid_phone"),
])
def test_bad_phone_numbers_are_refused_with_a_stable_code(db, phone, code):
    with pytest.raises(ValidationFailed) as error:
        send_sms(phone, "portal_otp", OTP, key="bad-phone")
    assert error.value.code == code
    assert "手机号码" in error.value.message
    assert not OutgoingMessage.objects.exists()


@pytest.mark.parametrize("typed", ["+86 138-1234-5678", "008613812345678",
                                   "１３８１２３４５６７８"])
def test_numbers_are_stored_as_eleven_digits_however_they_were_typed(db, typed):
    message = send_sms(typed, "portal_otp", OTP, key=f"typed:{typed}")
    assert message.to == "13812345678"


def test_emoji_cannot_go_out_by_sms(db):
    with pytest.raises(ValidationFailed) as error:
        send_sms("13812345678", "citizen_result", {"number": "YZ😀😀😀"}, key="emoji")
    assert error.value.code == "unsupported_characters"


def test_gbk_bytes_in_the_context_are_refused(db):
    with pytest.raises(ValidationFailed) as error:
        send_sms("13812345678", "citizen_result", {"number": "东城区".encode("gbk")}, key="gbk")
    assert error.value.code == "invalid_message_context"


def test_an_overlong_field_or_text_is_refused(db):
    with pytest.raises(ValidationFailed) as error:
        send_sms("13812345678", "citizen_result", {"number": "Y" * 301}, key="long1")
    assert error.value.code == "message_too_long"
    MessageTemplate.objects.filter(code="citizen_result").update(body="很长" * 300 + "{number}")
    with pytest.raises(ValidationFailed, match="短信内容过长"):
        send_sms("13812345678", "citizen_result", {"number": "YZ1"}, key="long2")


def test_script_in_the_context_goes_out_as_plain_text_without_control_characters(db):
    message = send_sms("13812345678", "citizen_result",
                       {"number": "<script>alert(1)</script>\x00\x1b[31m"}, key="script")
    assert "<script>alert(1)</script>[31m" in message.text
    assert "\x00" not in message.text and "\x1b" not in message.text


def test_an_email_goes_through_djangos_mail_system(db, django_capture_on_commit_callbacks):
    MessageTemplate.objects.create(code="order_registered_mail", kind="email",
                                   name="受理（邮件）", subject="工单 {number} 已受理",
                                   body="您的诉求已受理，工单编号 {number}。")
    with django_capture_on_commit_callbacks(execute=True):
        message = send_email(" Zhang@Example.COM ", "order_registered_mail",
                             {"number": "YZ20260301000009"}, key="mail:1")
    message.refresh_from_db()
    assert message.to == "Zhang@example.com" and message.status == "sent"
    assert [m.subject for m in mail.outbox] == ["工单 YZ20260301000009 已受理"]
    assert mail.outbox[0].to == ["Zhang@example.com"]
    assert "/notify/optout/" in mail.outbox[0].body


@pytest.mark.parametrize("address", ["", "zhang", "zhang@", "a@b", "<script>@x.com",
                                     "x" * 250 + "@example.com"])
def test_bad_email_addresses_are_refused(db, address):
    with pytest.raises(ValidationFailed) as error:
        send_email(address, "portal_otp", OTP, key="bad-mail")
    assert error.value.code in {"missing_email", "invalid_email"}


def test_the_file_backend_appends_json_lines_under_the_data_dir(
        db, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MINHU_SMS_BACKEND = "minhu.notices.backends.file.FileBackend"
    settings.DATA_DIR = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        send_sms("13812345678", "portal_otp", OTP, key="file:1")
        send_sms("13900001111", "portal_otp", {"code": "111222", "minutes": 5}, key="file:2")
    lines = (tmp_path / "outgoing-messages.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["to"] for r in records] == ["13812345678", "13900001111"]
    assert "验证码为 111222" in records[1]["text"]


def test_the_console_backend_logs_a_masked_number(db, settings, caplog,
                                                   django_capture_on_commit_callbacks):
    settings.MINHU_SMS_BACKEND = "minhu.notices.backends.console.ConsoleBackend"
    with caplog.at_level(logging.INFO), django_capture_on_commit_callbacks(execute=True):
        message = send_sms("13812345678", "portal_otp", OTP, key="console:1")
    message.refresh_from_db()
    assert message.status == "sent"
    assert "138****5678" in caplog.text and "13812345678" not in caplog.text


def test_nothing_is_sent_while_messages_are_paused_as_in_the_demo_replay(db, sms_outbox):
    from minhu.notices.outgoing import paused

    with paused():
        assert send_sms("13812345678", "portal_otp", OTP, key="paused") is None
    assert not OutgoingMessage.objects.exists()
    assert send_sms("13812345678", "portal_otp", OTP, key="paused") is not None


def test_one_number_gets_at_most_the_daily_cap(db, settings, at):
    settings.MINHU_MESSAGE_DAILY_CAP = 3
    with at(2026, 3, 2, 10):
        sent = [send_sms("13812345678", "portal_otp", OTP, key=f"cap:{i}") for i in range(4)]
    assert [m.status for m in sent] == ["queued", "queued", "queued", "suppressed"]
    assert sent[-1].last_error == "超过每日发送上限"
    assert send_sms("13900001111", "portal_otp", OTP, key="cap:other").status == "queued"
    with at(2026, 3, 3, 10, 1):
        assert send_sms("13812345678", "portal_otp", OTP, key="cap:next-day").status == "queued"


def test_the_system_check_warns_when_production_would_text_nobody(settings):
    from minhu.notices.checks import message_backends

    settings.DEBUG = False
    settings.MINHU_SMS_BACKEND = "minhu.notices.backends.console.ConsoleBackend"
    assert [w.id for w in message_backends(None)] == ["minhu.notices.W001"]
    settings.MINHU_SMS_BACKEND = "minhu.notices.backends.gateway.HttpGatewayBackend"
    settings.MINHU_SMS_GATEWAY_URL = ""
    settings.MINHU_SMS_INBOUND_SECRET = ""
    assert [w.id for w in message_backends(None)] == ["minhu.notices.W002", "minhu.notices.W003"]
    settings.MINHU_SMS_GATEWAY_URL = "https://sms.example/send"
    settings.MINHU_SMS_INBOUND_SECRET = "s"
    assert message_backends(None) == []
