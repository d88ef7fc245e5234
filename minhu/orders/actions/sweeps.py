"""Periodic work: flag yellow / overdue orders and late signatures, and send the daily
reminders. Both are idempotent (they only touch rows not yet flagged or reminded) and
cheap: the partial indexes on WorkOrder and Assignment cover exactly those rows."""

from collections import Counter

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ..models import Assignment, TimelineEvent, Urging, WorkOrder
from ..states import CLOCKED_STATES, AssignmentState, UrgeKind
from ._base import clock, notify_unit

BATCH = 500


def _flag(qs, flag: str, action: str, note: str, order_by: str) -> int:
    """Set ``flag`` on every order of ``qs`` and append one timeline event to each,
    a batch at a time, each batch in its own short transaction. ``order_by`` must be the
    column of the partial index that covers ``qs``: ordering by anything else (the primary
    key, say) makes PostgreSQL walk every order to find the first few."""
    done = 0
    while True:
        with transaction.atomic():
            batch = list(qs.select_for_update(skip_locked=True).order_by(order_by)
                         .values_list("pk", "state", "event_count", "lead_unit_id")[:BATCH])
            if not batch:
                return done
            now = clock.now()
            ids = [row[0] for row in batch]
            WorkOrder.objects.filter(pk__in=ids).update(
                **{flag: True}, event_count=F("event_count") + 1, updated_at=now)
            TimelineEvent.objects.bulk_create([
                TimelineEvent(order_id=pk, seq=count + 1, at=now, action=action,
                              from_state=state, to_state=state, target_unit_id=lead, note=note)
                for pk, state, count, lead in batch
            ])
            if flag == "is_overdue":
                Urging.objects.bulk_create([
                    Urging(order_id=pk, kind=UrgeKind.SYSTEM, unit_id=lead, at=now, note=note)
                    for pk, _s, _c, lead in batch
                ])
                for unit_id, n in Counter(row[3] for row in batch).items():
                    notify_unit(unit_id, "overdue", f"贵单位有 {n} 件工单已超期，请尽快办理")
            done += len(batch)


def sweep_deadlines() -> dict:
    now = clock.now()
    base = WorkOrder.objects.filter(state__in=CLOCKED_STATES, paused_at__isnull=True)
    yellow = _flag(base.filter(is_yellow=False, yellow_at__lte=now), "is_yellow",
                   "flag_yellow", "已用时限达到预警比例", "yellow_at")
    overdue = _flag(base.filter(is_overdue=False, due_at__lte=now), "is_overdue",
                    "flag_overdue", "已超过办理期限，系统自动催办", "due_at")
    late = _flag_late_signatures(now)
    return {"yellow": yellow, "overdue": overdue, "late_sign": late}


def _flag_late_signatures(now) -> int:
    done = 0
    qs = Assignment.objects.filter(state=AssignmentState.PENDING_SIGN, is_sign_overdue=False,
                                   sign_due_at__lte=now)
    while True:
        with transaction.atomic():
            batch = list(qs.select_for_update(skip_locked=True).order_by("sign_due_at")
                         .values_list("pk", "order_id", "unit_id")[:BATCH])
            if not batch:
                return done
            Assignment.objects.filter(pk__in=[b[0] for b in batch]).update(is_sign_overdue=True)
            orders = {o.pk: o for o in WorkOrder.objects.select_for_update().filter(
                pk__in={b[1] for b in batch})}
            events = []
            for _pk, order_id, unit_id in batch:
                order = orders[order_id]
                order.event_count += 1
                events.append(TimelineEvent(
                    order_id=order_id, seq=order.event_count, at=now, action="sign_overdue",
                    from_state=order.state, to_state=order.state, target_unit_id=unit_id,
                    note="超过签收时限未签收"))
            for order in orders.values():
                WorkOrder.objects.filter(pk=order.pk).update(event_count=order.event_count)
            TimelineEvent.objects.bulk_create(events)
            done += len(batch)


def send_daily_reminders() -> int:
    """One reminder a day per unit that has open work: counts of open, yellow and overdue
    orders. The notice key makes a second run on the same day send nothing."""
    today = timezone.localdate(clock.now())
    rows = (WorkOrder.objects.filter(state__in=CLOCKED_STATES, lead_unit__isnull=False)
            .values_list("lead_unit_id", "is_yellow", "is_overdue"))
    totals: dict[int, list[int]] = {}
    for unit_id, yellow, overdue in rows.iterator(chunk_size=5000):
        t = totals.setdefault(unit_id, [0, 0, 0])
        t[0] += 1
        t[1] += bool(yellow and not overdue)
        t[2] += bool(overdue)
    from minhu.notices.actions import send_notice

    sent = 0
    for unit_id, (n, yellow, overdue) in totals.items():
        text = f"每日提醒：贵单位在办工单 {n} 件，其中临期 {yellow} 件、超期 {overdue} 件"
        sent += send_notice(unit_id=unit_id, kind="daily_reminder", text=text,
                            key=f"daily:{unit_id}:{today.isoformat()}") is not None
    return sent
