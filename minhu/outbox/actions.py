"""The outbox: order updates for systems outside, written with the change, sent after it.

    follow("partners", fn)   # fn(order, event) -> iterable of (Endpoint, payload dict)
    deliver_due()            # a periodic job, and a job queued after each commit
    requeue(delivery, actor) # a supervisor sends a dead delivery again

Order of updates: a delivery goes out only when every earlier ``seq`` of the same order to
the same endpoint has been delivered; a failing (or dead) one holds back the later ones.
Two workers never send the same delivery at once: a worker claims a delivery by moving its
``next_attempt_at`` past the send timeout (a lease) in one guarded statement, so a second
worker no longer finds it due; on PostgreSQL the candidates are picked with
``SELECT … FOR UPDATE SKIP LOCKED`` so workers do not queue behind each other.
Delivery is at least once: a worker dying after the POST and before recording it lets the
lease run out and the delivery is sent again, which receivers de-duplicate by
``X-Minhu-Delivery``.
"""

import logging
import random
from collections.abc import Callable
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q

from minhu.audit.actions import record as audit
from minhu.core import clock
from minhu.core.errors import MinhuError

from . import signing
from .models import Delivery, DeliveryStatus, Endpoint

log = logging.getLogger(__name__)

FOLLOWERS: dict[str, Callable] = {}

BACKOFF_BASE_SECONDS = 30
BACKOFF_CAP_SECONDS = 3600
# Spread retries of many deliveries that failed together (a receiver outage).
JITTER = 0.2
BATCH = 50
_random = random.Random()


def follow(name: str, fn: Callable) -> None:
    """Register ``fn(order, event)``; called for every timeline event inside the action's
    transaction. Registering the same name again replaces it (reloads, tests). A follower
    that raises fails the action itself: an update is never silently dropped."""
    FOLLOWERS[name] = fn


def on_event_recorded(sender, order, event, **kwargs) -> None:
    """Connected in ``OutboxConfig.ready``: the followers' pairs become pending rows."""
    if not FOLLOWERS:
        return
    now = clock.now()
    created = False
    for fn in list(FOLLOWERS.values()):
        for endpoint, payload in fn(order, event) or ():
            with transaction.atomic():  # a savepoint: a duplicate must not spoil the action
                _, new = Delivery.objects.get_or_create(
                    endpoint=endpoint, order_id=order.pk, seq=event.seq,
                    defaults=dict(event=event.action[:32], payload=payload, created_at=now,
                                  next_attempt_at=now))
            created = created or new
    if created:
        _kick_on_commit()


def _kick_on_commit() -> None:
    """Queue one delivery job when this transaction commits (not one per event)."""
    if any(item[1] is _kick for item in connection.run_on_commit):
        return
    transaction.on_commit(_kick)


def _kick() -> None:
    from .tasks import deliver_soon

    try:
        deliver_soon()
    except Exception:  # the queue being down must not fail a committed action
        log.exception("could not queue outbox delivery; the periodic job will send it")


# --- Sending -----------------------------------------------------------------------------


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min … capped at 1 h, each stretched by up to 20 % at random."""
    base = min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_CAP_SECONDS)
    return timedelta(seconds=base * (1 + _random.uniform(0, JITTER)))


def _blocked():
    """An earlier update of the same order to the same endpoint is not delivered yet."""
    return Exists(Delivery.objects.filter(
        endpoint_id=OuterRef("endpoint_id"), order_id=OuterRef("order_id"),
        seq__lt=OuterRef("seq")).exclude(status=DeliveryStatus.DELIVERED))


def _due(now):
    return (Delivery.objects.filter(status=DeliveryStatus.PENDING, endpoint__is_active=True)
            .filter(Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True))
            .exclude(_blocked()))


def _claim(now, size: int, skip: set[int], down: set[int]) -> list[int]:
    """Take up to ``size`` due deliveries for this worker by leasing them."""
    ids = list(_due(now).exclude(pk__in=skip).exclude(endpoint_id__in=down)
               .order_by("next_attempt_at", "pk")
               .values_list("pk", "endpoint__timeout_seconds")[:size])
    claimed = []
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            locked = set(Delivery.objects.select_for_update(skip_locked=True)
                         .filter(pk__in=[pk for pk, _ in ids]).values_list("pk", flat=True))
            for pk, timeout in ids:
                if pk in locked and _lease(pk, now, timeout):
                    claimed.append(pk)
        return claimed
    return [pk for pk, timeout in ids if _lease(pk, now, timeout)]


def _lease(pk: int, now, timeout: int) -> bool:
    """One guarded UPDATE: only one worker can move a due delivery into the future."""
    until = now + timedelta(seconds=2 * (timeout or 10) + 30)
    return bool(Delivery.objects.filter(pk=pk, status=DeliveryStatus.PENDING)
                .filter(Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True))
                .update(next_attempt_at=until))


def deliver_due(limit: int = 500) -> int:
    """Send what is due now; returns how many were delivered. Call outside a transaction
    in production (HTTP while holding a transaction would pin database connections)."""
    delivered = 0
    tried: set[int] = set()
    # Endpoints that did not answer at all (refused, timed out) in this pass: their other
    # deliveries wait for the next pass instead of each costing a full timeout now.
    down: set[int] = set()
    while len(tried) < limit:
        now = clock.now()
        batch = _claim(now, min(BATCH, limit - len(tried)), tried, down)
        if not batch:
            break
        rank = {pk: i for i, pk in enumerate(batch)}  # the order they fell due in
        claimed = Delivery.objects.filter(pk__in=batch).select_related("endpoint")
        for delivery in sorted(claimed, key=lambda d: rank[d.pk]):
            tried.add(delivery.pk)
            if delivery.endpoint_id in down:
                _release(delivery.pk, now)
                continue
            outcome = send(delivery)
            if outcome.ok:
                delivered += 1
            elif outcome.status is None:
                down.add(delivery.endpoint_id)
    return delivered


def _release(pk: int, due) -> None:
    """Give back a claimed delivery unsent and uncharged (due again at the next pass)."""
    Delivery.objects.filter(pk=pk, status=DeliveryStatus.PENDING).update(next_attempt_at=due)


def send(delivery: Delivery) -> signing.Outcome:
    """POST one claimed delivery and record the outcome."""
    endpoint = delivery.endpoint
    now = clock.now()
    body = signing.encode_body(delivery.payload)
    timestamp = int(now.timestamp())
    outcome = signing.post(
        endpoint.url, body,
        signing.headers(delivery.pk, delivery.event, timestamp, endpoint.secret, body),
        timeout=endpoint.timeout_seconds or 10)
    delivery.attempts += 1
    delivery.last_status = outcome.status
    if outcome.ok:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = clock.now()
        delivery.next_attempt_at = None
        delivery.last_error = ""
    else:
        delivery.last_error = outcome.error
        if delivery.attempts >= endpoint.max_attempts:
            delivery.status = DeliveryStatus.DEAD
            delivery.next_attempt_at = None
        else:
            delivery.next_attempt_at = clock.now() + backoff(delivery.attempts)
    delivery.save(update_fields=["status", "attempts", "last_status", "last_error",
                                 "next_attempt_at", "delivered_at"])
    return outcome


# --- People --------------------------------------------------------------------------


def requeue(delivery: Delivery, actor) -> Delivery:
    """A dead delivery is tried again from scratch (attempts reset); the later updates of
    the same order follow once it gets through."""
    with transaction.atomic():
        locked = Delivery.objects.select_for_update().get(pk=delivery.pk)
        if locked.status != DeliveryStatus.DEAD:
            raise MinhuError("只有已停止重试的推送可以重新发送", code="not_dead")
        locked.status = DeliveryStatus.PENDING
        locked.attempts = 0
        locked.next_attempt_at = clock.now()
        locked.save(update_fields=["status", "attempts", "next_attempt_at"])
        audit(actor, "outbox_requeue", locked, fields=f"{locked.endpoint_id}:{locked.event}")
        _kick_on_commit()
    return locked


def requeue_dead(endpoint: Endpoint, actor) -> int:
    """Every dead delivery of one endpoint (after the receiver was fixed)."""
    count = 0
    for delivery in Delivery.objects.filter(endpoint=endpoint, status=DeliveryStatus.DEAD):
        requeue(delivery, actor)
        count += 1
    return count



def purge_delivered(keep_days: int | None = None) -> int:
    """Delivered rows are history only: drop them after ``MINHU_OUTBOX_KEEP_DAYS`` (30).
    Dead and pending rows stay until someone deals with them."""
    from django.conf import settings

    days = keep_days if keep_days is not None else int(
        getattr(settings, "MINHU_OUTBOX_KEEP_DAYS", 30))
    cutoff = clock.now() - timedelta(days=days)
    deleted, _ = Delivery.objects.filter(status=DeliveryStatus.DELIVERED,
                                         delivered_at__lt=cutoff).delete()
    return deleted
