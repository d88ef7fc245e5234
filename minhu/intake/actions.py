"""Keep the raw payload, then register an order from it.

    raw = receive(Channel.PARTNER, source="wechat", body=request.body, ...)
    order, created = register_from(raw, actor, intake)

``receive`` commits on its own (call it outside any transaction), so the payload survives
whatever happens next. ``register_from`` records the outcome on the raw row: registered,
duplicate, rejected (bad input: the sender got the code and message) or failed (an error
of ours: ``retry_failed`` tries again with the parser the channel registered).
"""

import json
import logging
from collections.abc import Callable

from django.contrib.auth.models import Group
from django.db import transaction

from minhu.accounts.models import User
from minhu.accounts.roles import Role
from minhu.core import clock
from minhu.core.errors import MinhuError
from minhu.orders.actions import Intake, do_register
from minhu.orders.actions._base import centre_unit

from .models import MAX_BODY_CHARS, RawIntake, RawStatus

log = logging.getLogger(__name__)

# channel -> function(raw) -> (actor, Intake, register kwargs); used to retry failed rows.
PARSERS: dict[str, Callable] = {}


def register_parser(channel: str, parse: Callable) -> None:
    PARSERS[channel] = parse


def decode_body(body: bytes | str) -> tuple[str, bool]:
    """Text to store: UTF-8 as is; anything else escaped losslessly (``\\xNN``). NUL is
    escaped too: PostgreSQL cannot keep it in a text column."""
    escaped = False
    if isinstance(body, bytes):
        try:
            body = body.decode("utf-8")
        except UnicodeDecodeError:
            body, escaped = body.decode("utf-8", errors="backslashreplace"), True
    if "\x00" in body:
        body, escaped = body.replace("\x00", "\\x00"), True
    return body, escaped


def receive(channel: str, *, body: bytes | str = b"", source: str = "", external_id: str = "",
            content_type: str = "", meta: dict | None = None,
            remote_addr: str | None = None) -> RawIntake:
    """Store what arrived and commit it, before any validation beyond the edge's own."""
    text, escaped = decode_body(body)
    over = len(text) > MAX_BODY_CHARS
    meta = _without_nul(dict(meta or {}))
    source, external_id, content_type = (_without_nul(str(v or "")) for v in
                                         (source, external_id, content_type))
    if over:
        meta["truncated_from_chars"] = len(text)
    with transaction.atomic():
        return RawIntake.objects.create(
            channel=channel, source=source[:60], external_id=external_id[:100],
            received_at=clock.now(), content_type=content_type[:120],
            body=text[:MAX_BODY_CHARS], body_escaped=escaped, meta=meta,
            remote_addr=remote_addr or None,
        )


def _without_nul(value):
    """Labels and metadata lose NUL characters (PostgreSQL refuses them in text and JSON);
    the body itself keeps them, escaped, in ``decode_body``."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    return json.loads(json.dumps(value, default=str).replace("\\u0000", ""))


def reject(raw: RawIntake, code: str, message: str) -> None:
    """The payload was refused at the edge (the sender got this code and message)."""
    _finish(raw, RawStatus.REJECTED, code=code, message=message)


def register_from(raw: RawIntake, actor, intake: Intake, **register_kwargs):
    """do_register, with the outcome written back on the raw row. Errors propagate."""
    raw.attempts += 1
    try:
        order, created = do_register(actor, intake, **register_kwargs)
    except MinhuError as exc:
        _finish(raw, RawStatus.REJECTED, code=exc.code, message=exc.message)
        raise
    except Exception as exc:
        log.exception("registration from raw intake %s failed", raw.pk)
        _finish(raw, RawStatus.FAILED, code="internal_error", message=repr(exc))
        raise
    _finish(raw, RawStatus.REGISTERED if created else RawStatus.DUPLICATE, order=order)
    return order, created


def retry_failed(raw: RawIntake):
    """Run a failed (or never finished) payload through its channel's parser again."""
    if raw.status not in (RawStatus.FAILED, RawStatus.RECEIVED):
        raise MinhuError("只有处理失败或未处理的记录可以重试", code="not_retryable")
    parse = PARSERS.get(raw.channel)
    if parse is None:
        raise MinhuError("该渠道不支持自动重试，请人工登记", code="no_parser")
    actor, intake, kwargs = parse(raw)
    return register_from(raw, actor, intake, **kwargs)


def _finish(raw: RawIntake, status: str, *, code: str = "", message: str = "",
            order=None) -> None:
    raw.status = status
    raw.error_code = code[:60]
    raw.error_message = str(message)[:500]
    if order is not None:
        raw.order = order
    RawIntake.objects.filter(pk=raw.pk).update(
        status=raw.status, error_code=raw.error_code, error_message=raw.error_message,
        attempts=raw.attempts, order=raw.order)


def service_account(username: str, display_name: str, roles=(Role.AGENT,), unit=None) -> User:
    """The staff account a channel registers orders as (timeline: who registered it).
    It has no password: nobody signs in with it."""
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, display_name=display_name,
                    unit=unit or centre_unit())
        user.set_unusable_password()
        user.save()
    missing = set(roles) - set(user.roles)
    if missing:
        user.groups.add(*Group.objects.filter(name__in=missing))
        user.__dict__.pop("roles", None)
    return user
