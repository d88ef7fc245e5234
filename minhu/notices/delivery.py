"""Deliver queued messages: claim, send through the backend, record the outcome.

A message is claimed by a conditional UPDATE (queued and due → attempts + 1, due again
only after a lease), so two workers or a worker and the sweep never send it twice; the
network call happens outside any transaction, so a slow gateway never holds a lock."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import F, Q

from minhu.core import clock

from .addresses import mask_address
from .backends import DeliveryError, backend_path, get_backend
from .models import MessageStatus, OutgoingMessage
from .optout import is_opted_out

log = logging.getLogger(__name__)

DEFAULT_MAX_ATTEMPTS = 5
DEFAULT_RETRY_DELAYS = (60, 300, 900, 3600)  # seconds after the 1st, 2nd, 3rd, later failure
DEFAULT_LEASE = 300  # longer than any backend timeout
# A code the citizen asked for is useless (and confusing) once it arrives this late.
DEFAULT_TRANSACTIONAL_MAX_AGE = 1800


def max_attempts() -> int:
    return int(getattr(settings, "MINHU_MESSAGE_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS))


def retry_delay(attempts: int) -> timedelta:
    delays = getattr(settings, "MINHU_MESSAGE_RETRY_DELAYS", DEFAULT_RETRY_DELAYS)
    return timedelta(seconds=delays[min(max(attempts, 1), len(delays)) - 1])


def due(now=None):
    now = now or clock.now()
    return OutgoingMessage.objects.filter(status=MessageStatus.QUEUED, next_attempt_at__lte=now)


def _claim(message_id: int) -> OutgoingMessage | None:
    now = clock.now()
    lease = timedelta(seconds=int(getattr(settings, "MINHU_MESSAGE_SEND_LEASE", DEFAULT_LEASE)))
    claimed = OutgoingMessage.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        pk=message_id, status=MessageStatus.QUEUED,
    ).update(attempts=F("attempts") + 1, next_attempt_at=now + lease)
    return OutgoingMessage.objects.get(pk=message_id) if claimed else None


def deliver(message_id: int) -> str | None:
    """Send one message if it is still queued and due; returns its new status (None when
    there was nothing to do: already sent, not yet due, or claimed by another worker)."""
    message = _claim(message_id)
    if message is None:
        return None
    # The citizen may have opted out since the message was queued.
    if not message.transactional and is_opted_out(message.to):
        return _finish(message, MessageStatus.SUPPRESSED, error="收件人已退订")
    max_age = int(getattr(settings, "MINHU_TRANSACTIONAL_MAX_AGE",
                          DEFAULT_TRANSACTIONAL_MAX_AGE))
    if message.transactional and clock.now() - message.created_at > timedelta(seconds=max_age):
        last = f"（最近错误：{message.last_error}）" if message.last_error else ""
        return _finish(message, MessageStatus.FAILED,
                       error=f"已过期：{max_age // 60} 分钟内未能送达，不再发送{last}")
    message.backend = backend_path(message.kind)
    try:
        provider_id = get_backend(message.kind).send(message)
    except DeliveryError as exc:
        return _failed(message, str(exc))
    except Exception as exc:  # a broken backend must not lose the message
        log.exception("message backend %s crashed on message %s", message.backend, message.pk)
        return _failed(message, f"{type(exc).__name__}: {exc}")
    log.info("message %s (%s) sent to %s", message.pk, message.template,
             mask_address(message.to))
    return _finish(message, MessageStatus.SENT, provider_id=provider_id or "")


def _failed(message: OutgoingMessage, error: str) -> str:
    if message.attempts >= max_attempts():
        log.warning("message %s to %s failed for good after %s attempts: %s", message.pk,
                    mask_address(message.to), message.attempts, error)
        return _finish(message, MessageStatus.FAILED, error=error)
    log.info("message %s to %s failed (attempt %s), retrying: %s", message.pk,
             mask_address(message.to), message.attempts, error)
    return _finish(message, MessageStatus.QUEUED, error=error,
                   next_attempt_at=clock.now() + retry_delay(message.attempts))


def _finish(message, status, *, error="", provider_id="", next_attempt_at=None) -> str:
    fields = {"status": status, "last_error": error[:500], "next_attempt_at": next_attempt_at,
              "backend": message.backend}
    if status == MessageStatus.SENT:
        fields.update(sent_at=clock.now(), provider_id=provider_id[:120])
    OutgoingMessage.objects.filter(pk=message.pk).update(**fields)
    return status


def sweep(limit: int = 500) -> int:
    """Send every due message (retries, and messages whose queue hand-off was lost)."""
    ids = list(due().order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    return sum(1 for pk in ids if deliver(pk) == MessageStatus.SENT)
