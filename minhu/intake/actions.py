"""Keep the raw payload, then register an order from it.

    raw = receive(Channel.PARTNER, source="wechat", body=request.body, ...)
    order, created = register_from(raw, actor, intake)

``receive`` commits on its own (call it outside any transaction), so the payload survives
whatever happens next; files that came with it (photos, already re-encoded at the edge)
are kept with it (``RawIntakeFile``). ``register_from`` records the outcome on the raw
row: registered, duplicate, rejected (bad input: the sender got the code and message) or
failed (an error of ours: ``retry_failed`` tries again with the parser the channel
registered), and attaches the kept files to a newly registered order.

A channel that registers a parser (and its follow-ups: routing, the citizen's SMS …) runs
its first attempt through ``register_raw`` too, so a retried request arrives exactly as a
first-time one: the same parser, the same files, the same follow-ups.
"""

import json
import logging
import mimetypes
import os
from collections.abc import Callable, Iterable

from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import transaction

from minhu.accounts.models import User
from minhu.accounts.roles import Role
from minhu.core import clock
from minhu.core.errors import MinhuError
from minhu.orders.actions import Intake, do_register
from minhu.orders.actions._base import centre_unit

from .models import MAX_BODY_CHARS, RawIntake, RawIntakeFile, RawStatus

log = logging.getLogger(__name__)

# channel -> function(raw) -> (actor, Intake, register kwargs); used to retry failed rows.
PARSERS: dict[str, Callable] = {}
# channel -> function(raw, order, actor): what the channel does once its payload became a
# new order (routing, messages, its own bookkeeping), first time and on retry alike.
FOLLOW_UPS: dict[str, Callable] = {}


def register_parser(channel: str, parse: Callable, follow_up: Callable | None = None) -> None:
    PARSERS[channel] = parse
    if follow_up is not None:
        FOLLOW_UPS[channel] = follow_up


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
            remote_addr: str | None = None, files: Iterable = ()) -> RawIntake:
    """Store what arrived and commit it, before any validation beyond the edge's own.
    ``files`` (Django ``File`` objects the edge has already checked and re-encoded) are
    written to the media storage and committed with the row."""
    text, escaped = decode_body(body)
    over = len(text) > MAX_BODY_CHARS
    meta = _without_nul(dict(meta or {}))
    source, external_id, content_type = (_without_nul(str(v or "")) for v in
                                         (source, external_id, content_type))
    if over:
        meta["truncated_from_chars"] = len(text)
    files = list(files)
    if files:
        # Registration looks here before querying for files: other payloads cost nothing.
        meta["files"] = len(files)
    with transaction.atomic():
        raw = RawIntake.objects.create(
            channel=channel, source=source[:60], external_id=external_id[:100],
            received_at=clock.now(), content_type=content_type[:120],
            body=text[:MAX_BODY_CHARS], body_escaped=escaped, meta=meta,
            remote_addr=remote_addr or None,
        )
        for number, uploaded in enumerate(files, start=1):
            _keep_file(raw, number, uploaded)
        return raw


def _keep_file(raw: RawIntake, number: int, uploaded) -> RawIntakeFile:
    name = _without_nul(os.path.basename(str(getattr(uploaded, "name", "") or "")))[:200]
    ext = os.path.splitext(name)[1].lower()[:10]
    kind = getattr(uploaded, "content_type", "") or mimetypes.guess_type(name)[0] or ""
    uploaded.seek(0)
    data = uploaded.read()
    kept = RawIntakeFile(raw=raw, name=name or f"file{number}", content_type=kind[:100],
                         size=len(data))
    # The stored name is ours (no citizen-chosen characters on disk); the original is kept.
    kept.file.save(f"raw{raw.pk}-{number}{ext}", ContentFile(data), save=False)
    kept.save()
    return kept


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
    if created and raw.meta.get("files"):
        attach_files(raw, order, actor)
    return order, created


def attach_files(raw: RawIntake, order, actor) -> int:
    """Attach the payload's kept files to its order (once each); returns how many were."""
    from minhu.orders.actions import do_attach

    attached = 0
    for kept in raw.files.filter(attachment__isnull=True):
        try:
            with kept.file.open("rb") as stored:
                data = stored.read()
            attachment = do_attach(order, actor, ContentFile(data, name=kept.name),
                                   purpose="intake")
        except (MinhuError, OSError) as exc:
            # The order stands; the file stays on the raw row for an operator to look at.
            log.warning("file %s of raw intake %s not attached to %s: %r", kept.pk, raw.pk,
                        order.number, exc)
            continue
        RawIntakeFile.objects.filter(pk=kept.pk).update(attachment=attachment)
        attached += 1
    return attached


def register_raw(raw: RawIntake):
    """Register through the channel's parser, then run the channel's follow-ups for a new
    order. The channel's first attempt and every retry go through here."""
    parse = PARSERS.get(raw.channel)
    if parse is None:
        raise MinhuError("该渠道不支持自动重试，请人工登记", code="no_parser")
    actor, intake, kwargs = parse(raw)
    order, created = register_from(raw, actor, intake, **kwargs)
    follow_up = FOLLOW_UPS.get(raw.channel)
    if created and follow_up is not None:
        follow_up(raw, order, actor)
    return order, created


def retry_failed(raw: RawIntake):
    """Run a failed (or never finished) payload through its channel's parser again."""
    if raw.status not in (RawStatus.FAILED, RawStatus.RECEIVED):
        raise MinhuError("只有处理失败或未处理的记录可以重试", code="not_retryable")
    return register_raw(raw)


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
