"""`minhu messages`: operators check the channel and the queue from the shell."""

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from minhu.notices.backends import locmem
from minhu.notices.outgoing import send_sms

from .helpers import OTP


def test_a_test_sms_goes_out_through_the_configured_backend(db, sms_outbox, capsys):
    call_command("messages", "test", "13812345678")
    out = capsys.readouterr().out
    assert "138****5678" in out and "LocmemBackend" in out and "已发送" in out
    assert sms_outbox[0]["template"] == "gateway_test" and "测试短信" in sms_outbox[0]["text"]


def test_a_test_email_goes_through_djangos_mail_system(db, capsys):
    call_command("messages", "test", "ops@example.com")
    assert mail.outbox[0].subject == "12345 平台测试邮件"


def test_a_failing_channel_is_reported_with_its_error(db):
    locmem.fail_next.append("短信网关返回 HTTP 401：bad token")
    with pytest.raises(CommandError, match="HTTP 401"):
        call_command("messages", "test", "13812345678")


def test_a_bad_number_is_refused_in_plain_chinese(db):
    with pytest.raises(CommandError, match="手机号码格式不正确"):
        call_command("messages", "test", "12345")


def test_status_counts_messages_and_names_the_channels(db, capsys):
    send_sms("13812345678", "portal_otp", OTP, key="status:1")
    call_command("messages", "status")
    out = capsys.readouterr().out
    assert "待发送\t1" in out and "到期待发\t1" in out and "LocmemBackend" in out
    call_command("messages", "sweep")
    assert "已发送 1 条" in capsys.readouterr().out
