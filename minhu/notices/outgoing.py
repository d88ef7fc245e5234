"""Citizen messages (SMS, e-mail): the only way the platform talks to citizens.

    send_sms("13812345678", "portal_otp", {"code": "123456", "minutes": 5},
             key=f"otp:{challenge.pk}")

The message row is written in the caller's transaction and delivered after commit by a
Huey task, once per ``key`` (a second call with the same key returns None, and so does
every call inside ``paused()``, as in the demo's history replay). Failures
are retried with back-off by the sweep in ``tasks.py``; see docs/notifications.md.
"""

import contextlib
import threading
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction

from minhu.core import clock
from minhu.core.errors import ValidationFailed

from .addresses import normalize_email, normalize_phone
from .links import optout_url
from .models import MessageKind, MessageStatus, MessageTemplate, OutgoingMessage
from .optout import is_opted_out
from .rendering import render

MAX_KEY = 160
DEFAULT_SMS_MAX_CHARS = 500  # a long SMS of about 8 segments; gateways refuse more
MAX_EMAIL_CHARS = 20000
MAX_SUBJECT = 200
# A loop in some caller, or someone abusing a form, must not text one phone all day.
DEFAULT_DAILY_CAP = 30

_local = threading.local()


@contextlib.contextmanager
def paused():
    """No citizen messages inside the block (this thread): the demo replays months of
    history through the real actions, and nobody must be texted about the past."""
    previous = getattr(_local, "paused", False)
    _local.paused = True
    try:
        yield
    finally:
        _local.paused = previous


def is_paused() -> bool:
    return getattr(_local, "paused", False)


def send_sms(phone: str, template: str, context: dict, *, key: str,
             order=None) -> OutgoingMessage | None:
    return _send(MessageKind.SMS, normalize_phone(phone), template, context, key, order)


def send_email(address: str, template: str, context: dict, *, key: str,
               order=None) -> OutgoingMessage | None:
    return _send(MessageKind.EMAIL, normalize_email(address), template, context, key, order)


def _template(code: str, kind: str) -> MessageTemplate:
    tpl = MessageTemplate.objects.filter(code=code).first() if isinstance(code, str) else None
    if tpl is None:
        raise ValueError(f"unknown message template {code!r} (seeded in notices/seeds.py, "
                         "edited in the admin)")
    if tpl.kind != kind:
        raise ValueError(f"message template {code!r} is for {tpl.kind}, not {kind}")
    return tpl


def _check_key(key) -> str:
    if not isinstance(key, str) or not key.strip():
        raise ValueError("send_sms/send_email need a non-empty key (dedup of retries)")
    if len(key) > MAX_KEY:
        raise ValueError(f"message key longer than {MAX_KEY} characters")
    return key


def optout_hint(kind: str, address: str) -> str:
    if kind == MessageKind.EMAIL:
        return f"\n\n——\n不想再收到此类邮件？请访问 {optout_url(address)} 退订。"
    hint = "回复TD退订"
    if getattr(settings, "MINHU_SMS_OPTOUT_LINK", True):
        hint += f"，或访问 {optout_url(address)}"
    return hint


def _check_text(kind: str, text: str, subject: str) -> None:
    if not text.strip():
        raise ValidationFailed("消息内容为空", code="empty_message")
    if kind == MessageKind.SMS:
        limit = int(getattr(settings, "MINHU_SMS_MAX_CHARS", DEFAULT_SMS_MAX_CHARS))
        if len(text) > limit:
            raise ValidationFailed(f"短信内容过长（{len(text)} 字，最多 {limit} 字）",
                                   code="message_too_long")
        # SMS travels as UCS-2: characters beyond the BMP (most emoji) are refused or
        # garbled by carriers, so they are refused here where the caller can react.
        if any(ord(ch) > 0xFFFF for ch in text):
            raise ValidationFailed("短信内容含有短信无法发送的字符（如表情符号）",
                                   code="unsupported_characters")
    elif len(text) > MAX_EMAIL_CHARS or len(subject) > MAX_SUBJECT:
        raise ValidationFailed("邮件内容过长", code="message_too_long")


def _order_id(order):
    if order is None or isinstance(order, int):
        return order
    return order.pk


def _send(kind, to, code, context, key, order):
    key = _check_key(key)
    tpl = _template(code, kind)
    if is_paused() or OutgoingMessage.objects.filter(key=key).exists():
        return None
    text = render(tpl.body, context, code=tpl.code).strip()
    subject = render(tpl.subject, context, code=tpl.code).strip().replace("\n", " ")
    now = clock.now()
    reason = ""
    if not tpl.is_active:
        reason = "模板已停用"
    elif not tpl.transactional and is_opted_out(to):
        reason = "收件人已退订"
    elif _over_daily_cap(to, now):
        reason = "超过每日发送上限"
    if not tpl.transactional:
        text += ("" if kind == MessageKind.EMAIL else " ") + optout_hint(kind, to)
    _check_text(kind, text, subject)

    try:
        with transaction.atomic():
            message = OutgoingMessage.objects.create(
                kind=kind, to=to, template=tpl.code, subject=subject, text=text, key=key,
                order_id=_order_id(order), transactional=tpl.transactional,
                status=MessageStatus.SUPPRESSED if reason else MessageStatus.QUEUED,
                last_error=reason, created_at=now, next_attempt_at=None if reason else now)
    except IntegrityError:
        return None  # the same key won a race with us
    if not reason:
        transaction.on_commit(lambda: enqueue(message.pk), robust=True)
    return message


def _over_daily_cap(to: str, now) -> bool:
    cap = int(getattr(settings, "MINHU_MESSAGE_DAILY_CAP", DEFAULT_DAILY_CAP))
    if cap <= 0:
        return False
    recent = OutgoingMessage.objects.filter(to=to, created_at__gt=now - timedelta(days=1)
                                            ).exclude(status=MessageStatus.SUPPRESSED)
    return recent.count() >= cap


def enqueue(message_id: int) -> None:
    """Hand the message to a worker. If the queue is down the row stays queued and the
    sweep sends it (``robust`` on_commit keeps the caller's response unaffected)."""
    from .tasks import deliver_message

    deliver_message(message_id)
