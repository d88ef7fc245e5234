"""Supervision (督办): urge, list for supervision (挂牌), escalate (提级办理); and the
unreasonable-request flag (不合理诉求), proposed by anyone, decided by a supervisor."""

from django.db import transaction

from ..models import Urging, WorkOrder
from ..states import AssignmentRole, AssignmentState, ReviewStatus, State, UrgeKind
from ._base import (
    ValidationFailed,
    begin,
    clock,
    handling_unit,
    lead_assignment,
    notify_unit,
    record,
    require_text,
    save,
)
from .dispatch import create_assignment


@transaction.atomic
def do_urge(order: WorkOrder, actor, kind: str, note: str = "") -> WorkOrder:
    order = begin(order, "urge", actor)
    if kind not in UrgeKind.values or kind == UrgeKind.SYSTEM:
        raise ValidationFailed("催办方式须为电话催办、催办单或约谈", code="bad_kind")
    target = order.lead_unit or order.dispatch_unit
    Urging.objects.create(order=order, kind=kind, unit=target, note=(note or "")[:2000],
                          by=actor, at=clock.now())
    order.urge_count += 1
    record(order, "urge", actor, note=note, target_unit=target, data={"kind": kind})
    save(order)
    notify_unit(target.pk, "urge",
                f"工单 {order.number} 被{UrgeKind.source_label_of(kind)}，请抓紧办理", order)
    return order


@transaction.atomic
def do_supervise(order: WorkOrder, actor, note: str) -> WorkOrder:
    order = begin(order, "supervise", actor)
    note = require_text(note, "挂牌督办事由")
    if order.is_supervised:
        raise ValidationFailed("该工单已挂牌督办", code="already_supervised")
    order.is_supervised = True
    record(order, "supervise", actor, note=note, target_unit=order.lead_unit)
    save(order)
    notify_unit(order.lead_unit_id, "supervised", f"工单 {order.number} 已被挂牌督办", order)
    return order


@transaction.atomic
def do_escalate(order: WorkOrder, actor, unit_id, note: str) -> WorkOrder:
    """A higher-level unit takes the lead; the former lead keeps working as co-handler."""
    order = begin(order, "escalate", actor)
    note = require_text(note, "提级理由")
    target = handling_unit(unit_id, field="提级承办单位")
    current = lead_assignment(order)
    if current is not None:
        if current.unit_id == target.pk:
            raise ValidationFailed("提级单位与当前主办单位相同", code="same_unit")
        lower = target.is_within(current.unit) or (
            current.unit.is_territorial and target.is_territorial
            and target.depth >= current.unit.depth)
        if lower:
            raise ValidationFailed("提级办理须交由更高层级的单位", code="not_higher")
        current.role = AssignmentRole.CO
        current.save(update_fields=["role"])
    order.assignments.filter(unit=target, state__in=[AssignmentState.PENDING_SIGN,
                                                     AssignmentState.HANDLING]
                             ).update(state=AssignmentState.CANCELLED)
    create_assignment(order, target, AssignmentRole.LEAD, actor)
    order.lead_unit = target
    order.is_escalated = True
    order.state = State.DISPATCHED
    record(order, "escalate", actor, note=note, target_unit=target,
           data={"from": current.unit.code if current else None})
    save(order)
    notify_unit(target.pk, "escalated", f"工单 {order.number} 提级由贵单位主办", order)
    return order


@transaction.atomic
def do_mark_unreasonable(order: WorkOrder, actor, reason: str) -> WorkOrder:
    order = begin(order, "mark_unreasonable", actor)
    reason = require_text(reason, "不合理诉求的理由", max_len=200)
    if order.unreasonable in (ReviewStatus.PENDING, ReviewStatus.APPROVED):
        raise ValidationFailed("该工单已标记为不合理诉求", code="already_marked")
    order.unreasonable, order.unreasonable_reason = ReviewStatus.PENDING, reason
    record(order, "mark_unreasonable", actor, note=reason)
    save(order)
    return order


@transaction.atomic
def do_review_unreasonable(order: WorkOrder, actor, *, approve: bool,
                           note: str = "") -> WorkOrder:
    order = begin(order, "review_unreasonable", actor)
    if order.unreasonable != ReviewStatus.PENDING:
        raise ValidationFailed("没有待审核的不合理诉求标记", code="nothing_to_review")
    order.unreasonable = ReviewStatus.APPROVED if approve else ReviewStatus.REJECTED
    record(order, "review_unreasonable", actor, note=note, data={"approve": approve})
    save(order)
    return order
