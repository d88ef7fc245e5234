"""Shared pieces of the ``do_*`` actions: locking, the timeline, clocks, guards, notices."""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F

from minhu.catalog.models import PlatformSettings, UrgencyTier
from minhu.core import clock
from minhu.core.errors import Forbidden, NotFound, TransitionError, ValidationFailed
from minhu.org.kinds import DISPATCH_KINDS, UnitKind
from minhu.org.models import Unit
from minhu.workcal.clock import span_for

from .. import signals
from ..models import Assignment, DailyCounter, TimelineEvent, WorkOrder
from ..states import ACTIVE_ASSIGNMENT_STATES, AssignmentRole
from ..transitions import check

__all__ = [
    "begin", "record", "save", "notify_unit", "my_assignment", "require_dispatcher",
    "start_clock", "shift_clock", "lead_assignment", "next_number",
    "require_text", "centre_unit", "handling_unit", "check", "Forbidden", "NotFound",
    "TransitionError", "ValidationFailed", "clock",
]

MAX_NOTE = 4000


def begin(order: WorkOrder, action: str, actor) -> WorkOrder:
    """Lock the order row for the rest of the transaction and check the transition table."""
    # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of an outer join
    # (lead_unit), and only the order row needs the lock.
    locked = WorkOrder.objects.select_for_update(of=("self",)).select_related(
        "urgency", "request_type", "lead_unit", "dispatch_unit"
    ).get(pk=order.pk)
    check(locked, action, actor)
    locked._from_state = locked.state
    return locked


def record(order: WorkOrder, action: str, actor, *, note: str = "", target_unit=None,
           data: dict | None = None, from_state: str | None = None) -> TimelineEvent:
    """Append one timeline event (from → to is the order's state before and now)."""
    order.event_count += 1
    actor_obj = actor if getattr(actor, "pk", None) else None
    event = TimelineEvent.objects.create(
        order=order, seq=order.event_count, at=clock.now(), action=action,
        actor=actor_obj, actor_unit_id=getattr(actor_obj, "unit_id", None),
        from_state=from_state if from_state is not None else getattr(order, "_from_state",
                                                                     order.state),
        to_state=order.state, target_unit=target_unit, note=(note or "")[:MAX_NOTE],
        data=data or {},
    )
    _announce(order, event)
    return event


def _announce(order: WorkOrder, event: TimelineEvent) -> None:
    """Tell followers (outbox, citizen messages); see ``orders/signals.py``. The order is
    announced as it stands after the action (``save`` runs after ``record``), so the
    committed signal re-reads nothing and receivers needing the final row load it."""
    if signals.event_recorded.receivers:
        signals.event_recorded.send(sender=WorkOrder, order=order, event=event)
    if signals.event_committed.receivers:
        transaction.on_commit(lambda: signals.event_committed.send(
            sender=WorkOrder, order=order, event=event))


def save(order: WorkOrder) -> None:
    order.updated_at = clock.now()
    order.save()
    order._from_state = order.state


def notify_unit(unit_id: int | None, kind: str, text: str, order: WorkOrder | None = None,
                key: str | None = None) -> None:
    """Queue a notice for a unit's inbox, sent only if the transaction commits."""
    if unit_id is None:
        return
    order_id = order.pk if order is not None else None

    def send():
        from minhu.notices.actions import send_notice

        send_notice(unit_id=unit_id, kind=kind, text=text, order_id=order_id, key=key)

    transaction.on_commit(send)


def require_text(value: str | None, what: str, *, max_len: int = MAX_NOTE) -> str:
    # NUL carries no meaning in a note and PostgreSQL refuses it in text columns.
    text = (value or "").replace("\x00", "").strip()
    if not text:
        raise ValidationFailed(f"请填写{what}", code="missing_" + "text")
    if len(text) > max_len:
        raise ValidationFailed(f"{what}过长（最多 {max_len} 字）", code="too_long")
    return text


def lead_assignment(order: WorkOrder) -> Assignment | None:
    return (
        order.assignments.filter(role=AssignmentRole.LEAD, state__in=ACTIVE_ASSIGNMENT_STATES)
        .select_related("unit").first()
    )


def my_assignment(order: WorkOrder, actor, *, roles=None, states=None) -> Assignment:
    """The assignment the actor's own unit holds on this order, or a clear refusal."""
    if actor.unit_id is None:
        raise Forbidden("您不属于任何承办单位", code="no_unit")
    qs = order.assignments.filter(unit_id=actor.unit_id).select_related("unit")
    if roles:
        qs = qs.filter(role__in=roles)
    live = qs.filter(state__in=states or ACTIVE_ASSIGNMENT_STATES).order_by("-pk").first()
    if live is None:
        if qs.exists():
            raise TransitionError("您单位在该工单上的承办记录当前不能执行此操作",
                                  code="assignment_state")
        raise NotFound()
    return live


def require_dispatcher(order: WorkOrder, actor) -> None:
    """The centre dispatches anything; a sub-centre only what was handed to it."""
    if actor.is_superuser:
        return
    unit = actor.unit
    if unit is None or unit.kind not in DISPATCH_KINDS:
        raise Forbidden("只有 12345 中心或分中心的派单员可以执行此操作", code="not_dispatcher")
    if unit.kind == UnitKind.SUB_CENTRE and order.dispatch_unit_id != unit.pk:
        raise NotFound()


def handling_unit(unit_id, *, field: str = "承办单位") -> Unit:
    if isinstance(unit_id, Unit):
        unit = unit_id
    else:
        unit = Unit.objects.filter(pk=unit_id).first() if unit_id else None
    if unit is None or not unit.is_active:
        raise ValidationFailed(f"{field}不存在或已停用", code="unknown_unit")
    if unit.kind in DISPATCH_KINDS:
        raise ValidationFailed(f"{field}不能是 12345 中心或分中心", code="bad_unit")
    return unit


def centre_unit() -> Unit:
    unit = Unit.objects.filter(kind=UnitKind.CENTRE).order_by("pk").first()
    if unit is None:
        raise ValidationFailed("尚未配置 12345 中心单位", code="no_centre")
    return unit


# --- Clocks -----------------------------------------------------------------


def _yellow(start: datetime, due: datetime, tier: UrgencyTier, clk) -> datetime:
    span = clk.elapsed(start, due)
    return clk.advance(start, span * float(tier.yellow_ratio))


def start_clock(order: WorkOrder, *, amount: int | None = None, unit: str | None = None) -> None:
    """Start the handling clock now for the order's tier (or an explicit limit)."""
    tier = order.urgency
    now = clock.now()
    clk, span = span_for(amount or tier.handle_limit, unit or tier.handle_unit)
    due = clk.advance(now, span)
    if order.external_due_at and order.external_due_at < due:
        due = order.external_due_at
    order.due_at = due
    order.yellow_at = _yellow(now, due, tier, clk)
    order.is_yellow = order.yellow_at <= now
    order.is_overdue = False
    order.paused_at = None


def shift_clock(order: WorkOrder, by: timedelta, clk) -> None:
    """Move the deadline (and the yellow mark) later by ``by`` on clock ``clk``."""
    if order.due_at is None:
        return
    now = clock.now()
    order.due_at = clk.advance(order.due_at, by)
    if order.yellow_at is not None:
        order.yellow_at = clk.advance(order.yellow_at, by)
    order.is_overdue = order.due_at <= now
    order.is_yellow = order.yellow_at is not None and order.yellow_at <= now


def sign_deadline(tier: UrgencyTier) -> datetime:
    clk, span = span_for(tier.sign_limit, tier.sign_unit)
    return clk.advance(clock.now(), span)


def summon_deadline() -> datetime:
    return clock.now() + timedelta(hours=PlatformSettings.current().summon_report_hours)


# --- Numbers ----------------------------------------------------------------


def next_number(prefix: str) -> str:
    """YZ + local date + 6-digit daily sequence, allocated inside the caller's transaction.
    The UPDATE takes the row lock, so concurrent registrations get consecutive numbers."""
    from django.utils import timezone

    day = timezone.localdate(clock.now())
    if not DailyCounter.objects.filter(pk=day).update(value=F("value") + 1):
        try:
            with transaction.atomic():
                DailyCounter.objects.create(day=day, value=1)
        except IntegrityError:  # another registration created today's row first
            DailyCounter.objects.filter(pk=day).update(value=F("value") + 1)
    value = DailyCounter.objects.filter(pk=day).values_list("value", flat=True).get()
    return f"{prefix}{day:%Y%m%d}{value:06d}"
