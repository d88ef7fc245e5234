"""A failed delivery is retried with back-off by the sweep, then given up as failed."""

from datetime import timedelta

import pytest

from minhu.notices import delivery
from minhu.notices.backends import locmem
from minhu.notices.models import OutgoingMessage
from minhu.notices.outgoing import send_sms
from minhu.notices.tasks import sweep_messages_every_minute

from .helpers import OTP


@pytest.fixture
def retry_settings(settings):
    settings.MINHU_MESSAGE_MAX_ATTEMPTS = 3
    settings.MINHU_MESSAGE_RETRY_DELAYS = (60, 300)
    return settings


def queue(django_capture_on_commit_callbacks, key="otp:retry"):
    with django_capture_on_commit_callbacks(execute=True):
        message = send_sms("13812345678", "portal_otp", OTP, key=key)
    message.refresh_from_db()
    return message


def test_a_failed_sms_is_retried_after_the_back_off_and_then_sent(
        db, at, sms_outbox, retry_settings, django_capture_on_commit_callbacks):
    locmem.fail_next.append("短信网关返回 HTTP 503：busy")
    with at(2026, 3, 2, 10, 0):
        message = queue(django_capture_on_commit_callbacks)
    assert message.status == "queued" and message.attempts == 1
    assert message.last_error == "短信网关返回 HTTP 503：busy"
    assert message.next_attempt_at - message.created_at == timedelta(seconds=60)

    with at(2026, 3, 2, 10, 0, 59):
        assert delivery.sweep() == 0  # not due yet
    with at(2026, 3, 2, 10, 1):
        assert delivery.sweep() == 1
    message.refresh_from_db()
    assert message.status == "sent" and message.attempts == 2 and message.last_error == ""
    assert len(sms_outbox) == 1


def test_the_back_off_grows_and_the_message_fails_for_good_after_the_last_attempt(
        db, at, sms_outbox, retry_settings, django_capture_on_commit_callbacks):
    locmem.fail_next.extend(["down 1", "down 2", "down 3", "never reached"])
    with at(2026, 3, 2, 10, 0):
        message = queue(django_capture_on_commit_callbacks, key="otp:fails")
    with at(2026, 3, 2, 10, 1):
        sweep_messages_every_minute.call_local()
    message.refresh_from_db()
    assert message.attempts == 2 and message.last_error == "down 2"
    # Second delay is five minutes: nothing at 10:05, the last try at 10:06.
    with at(2026, 3, 2, 10, 5):
        assert delivery.sweep() == 0
    with at(2026, 3, 2, 10, 6):
        delivery.sweep()
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == ("failed", 3, "down 3")
    assert message.next_attempt_at is None
    with at(2026, 3, 3, 10, 0):
        assert delivery.sweep() == 0  # a failed message is left to staff ("重新发送")
    assert sms_outbox == []


def test_a_crashing_backend_counts_as_a_failed_attempt(
        db, settings, retry_settings, django_capture_on_commit_callbacks):
    settings.MINHU_SMS_BACKEND = "minhu.notices.tests.test_retries.CrashingBackend"
    message = queue(django_capture_on_commit_callbacks, key="otp:crash")
    assert message.status == "queued"
    assert message.last_error == "KeyError: 'boom'"


def test_a_claimed_message_is_not_sent_again_by_the_sweep_while_it_is_in_flight(
        db, at, sms_outbox):
    with at(2026, 3, 2, 10, 0):
        message = send_sms("13812345678", "portal_otp", OTP, key="otp:lease")
        claimed = delivery._claim(message.pk)  # a worker took it and is talking to the gateway
    assert claimed is not None
    with at(2026, 3, 2, 10, 1):
        assert delivery.sweep() == 0
    # The worker died: after the lease the sweep sends it.
    with at(2026, 3, 2, 10, 6):
        assert delivery.sweep() == 1
    assert OutgoingMessage.objects.get(pk=message.pk).attempts == 2
    assert len(sms_outbox) == 1


class CrashingBackend:
    def send(self, message):
        raise KeyError("boom")


def test_a_code_that_could_not_be_delivered_in_half_an_hour_is_not_sent_late(
        db, at, sms_outbox, django_capture_on_commit_callbacks):
    locmem.fail_next.extend(["down", "down", "down"])
    with at(2026, 3, 2, 10, 0):
        message = queue(django_capture_on_commit_callbacks, key="otp:late")
    with at(2026, 3, 2, 10, 1):
        delivery.sweep()
    with at(2026, 3, 2, 10, 31):
        delivery.sweep()
    message.refresh_from_db()
    assert message.status == "failed" and message.last_error.startswith("已过期")
    assert "down" in message.last_error
    assert sms_outbox == []
