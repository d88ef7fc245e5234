"""Dispatch desk: forward to a sub-centre, dispatch, reassign, review returns and
extensions, merge duplicates."""

from django.db import transaction

from minhu.catalog.models import Category, UrgencyTier
from minhu.org.kinds import UnitKind
from minhu.org.models import Unit
from minhu.workcal.clock import span_for

from ..models import Assignment, WorkOrder
from ..states import (
    ACTIVE_ASSIGNMENT_STATES,
    AssignmentRole,
    AssignmentState,
    ReturnKind,
    ReviewStatus,
    State,
)
from ._base import (
    ValidationFailed,
    begin,
    clock,
    handling_unit,
    notify_unit,
    record,
    require_dispatcher,
    require_text,
    save,
    shift_clock,
    sign_deadline,
    start_clock,
)

MAX_CO_UNITS = 10


def create_assignment(order: WorkOrder, unit: Unit, role: str, actor, *,
                      summoned_by: Unit | None = None, sign_due_at=None) -> Assignment:
    now = clock.now()
    return Assignment.objects.create(
        order=order, unit=unit, role=role, state=AssignmentState.PENDING_SIGN,
        dispatched_at=now, dispatched_by=actor if getattr(actor, "pk", None) else None,
        sign_due_at=sign_due_at or sign_deadline(order.urgency), due_at=order.due_at,
        summoned_by=summoned_by,
    )


def _units(lead_id, co_ids, dispatcher_unit) -> tuple[Unit, list[Unit]]:
    lead = handling_unit(lead_id, field="主办单位")
    co_ids = list(dict.fromkeys(co_ids or []))
    if len(co_ids) > MAX_CO_UNITS:
        raise ValidationFailed(f"协办单位最多 {MAX_CO_UNITS} 个", code="too_many_units")
    co = [handling_unit(c, field="协办单位") for c in co_ids]
    if any(u.pk == lead.pk for u in co):
        raise ValidationFailed("主办单位不能同时作为协办单位", code="lead_is_co")
    if dispatcher_unit is not None and dispatcher_unit.kind == UnitKind.SUB_CENTRE:
        area = dispatcher_unit.serves
        for u in [lead, *co]:
            if u.kind not in (UnitKind.DEPARTMENT, UnitKind.UTILITY) and (
                    area is None or not u.is_within(area)):
                raise ValidationFailed(f"分中心只能派往本辖区单位，“{u.name}”不在辖区内",
                                       code="outside_area")
    return lead, co


def _cancel_active(order: WorkOrder, actor, reason: str) -> None:
    from .closing import close_children

    for a in order.assignments.filter(state__in=ACTIVE_ASSIGNMENT_STATES):
        a.state = AssignmentState.CANCELLED
        a.save(update_fields=["state"])
        notify_unit(a.unit_id, "recalled", f"工单 {order.number} 已{reason}，无需继续办理",
                    order)
    close_children(order, actor, f"上级工单已{reason}")


def _send_to(order: WorkOrder, actor, lead: Unit, co: list[Unit]) -> None:
    """Assign lead + co units, start a fresh clock, notify them (after commit)."""
    order.lead_unit = lead
    order.dispatched_at = clock.now()
    order.state = State.DISPATCHED
    start_clock(order)
    for unit, role in [(lead, AssignmentRole.LEAD), *[(u, AssignmentRole.CO) for u in co]]:
        create_assignment(order, unit, role, actor)
        as_role = AssignmentRole.source_label_of(role)
        notify_unit(unit.pk, "dispatched", f"新工单 {order.number}（{as_role}）请及时签收", order)


def _retriage(order: WorkOrder, category: str | None, urgency: str | None) -> dict:
    changes = {}
    if category:
        cat = Category.objects.filter(code=str(category)[:20]).first()
        if cat is None:
            raise ValidationFailed("诉求分类不存在", code="unknown_category")
        if cat.pk != order.category_id:
            changes["category"] = [order.category_id and order.category.code, cat.code]
            order.category = cat
    if urgency:
        tier = UrgencyTier.objects.filter(code=str(urgency)[:20]).first()
        if tier is None:
            raise ValidationFailed("紧急程度不存在", code="unknown_urgency")
        if tier.pk != order.urgency_id:
            changes["urgency"] = [order.urgency.code, tier.code]
            order.urgency = tier
    return changes


@transaction.atomic
def do_forward(order: WorkOrder, actor, sub_centre_id, note: str = "") -> WorkOrder:
    order = begin(order, "forward", actor)
    require_dispatcher(order, actor)
    target = Unit.objects.filter(pk=sub_centre_id, kind=UnitKind.SUB_CENTRE,
                                 is_active=True).first()
    if target is None:
        raise ValidationFailed("分中心不存在", code="unknown_unit")
    order.dispatch_unit = target
    record(order, "forward", actor, note=note, target_unit=target)
    save(order)
    notify_unit(target.pk, "forwarded", f"工单 {order.number} 已转本分中心派单", order)
    return order


@transaction.atomic
def do_dispatch(order: WorkOrder, actor, lead_unit, co_units=(), *, category=None,
                urgency=None, note: str = "") -> WorkOrder:
    order = begin(order, "dispatch", actor)
    require_dispatcher(order, actor)
    lead, co = _units(lead_unit, co_units, actor.unit)
    changes = _retriage(order, category, urgency)
    _send_to(order, actor, lead, co)
    record(order, "dispatch", actor, note=note, target_unit=lead,
           data={"lead": lead.code, "co": [u.code for u in co], **changes})
    save(order)
    return order


@transaction.atomic
def do_reassign(order: WorkOrder, actor, lead_unit, co_units=(), *, reason: str) -> WorkOrder:
    order = begin(order, "reassign", actor)
    require_dispatcher(order, actor)
    reason = require_text(reason, "改派原因")
    lead, co = _units(lead_unit, co_units, actor.unit)
    _cancel_active(order, actor, "改派")
    _send_to(order, actor, lead, co)
    record(order, "reassign", actor, note=reason, target_unit=lead,
           data={"lead": lead.code, "co": [u.code for u in co]})
    save(order)
    return order


@transaction.atomic
def do_review_return(order: WorkOrder, actor, *, approve: bool, note: str = "",
                     lead_unit=None, co_units=()) -> WorkOrder:
    """Approve (→ another unit, or back to the dispatch pool) or reject (→ back to the
    unit, with the paused review time given back)."""
    order = begin(order, "review_return", actor)
    require_dispatcher(order, actor)
    req = order.returns.select_related("assignment").filter(status=ReviewStatus.PENDING).first()
    if req is None:
        raise ValidationFailed("没有待审核的退单", code="nothing_to_review")
    now = clock.now()
    req.reviewed_by, req.reviewed_at, req.review_note = actor, now, (note or "")[:2000]
    returned = req.assignment
    if approve:
        req.status = ReviewStatus.APPROVED
        lead, co = _units(lead_unit, co_units, actor.unit) if lead_unit else (None, [])
        _cancel_active(order, actor, "改派" if lead else "退回派单池")
        if lead is not None:
            _send_to(order, actor, lead, co)
        else:
            order.state = State.REGISTERED
            order.lead_unit = None
            order.due_at = order.yellow_at = order.paused_at = None
            order.is_yellow = order.is_overdue = False
        kind = ReturnKind.source_label_of(req.kind)
        notify_unit(returned.unit_id, "return_approved",
                    f"工单 {order.number} 的{kind}申请已同意", order)
    else:
        if not (note or "").strip():
            raise ValidationFailed("驳回退单须说明理由", code="missing_text")
        req.status = ReviewStatus.REJECTED
        returned.state = req.prior_assignment_state
        returned.save(update_fields=["state"])
        order.state = (State.HANDLING if returned.state == AssignmentState.HANDLING
                       else State.DISPATCHED)
        # The unit is not charged for the time the return sat in review.
        clk, _ = span_for(1, order.urgency.handle_unit)
        shift_clock(order, clk.elapsed(order.paused_at or now, now), clk)
        order.paused_at = None
        notify_unit(returned.unit_id, "return_rejected",
                    f"工单 {order.number} 的退单申请未通过：{note.strip()[:200]}", order)
    req.save()
    record(order, "review_return", actor, note=note,
           target_unit=order.lead_unit if approve else returned.unit,
           data={"approve": approve, "kind": req.kind})
    save(order)
    return order


@transaction.atomic
def do_review_extension(order: WorkOrder, actor, *, approve: bool, note: str = "") -> WorkOrder:
    order = begin(order, "review_extension", actor)
    require_dispatcher(order, actor)
    req = order.extensions.filter(status=ReviewStatus.PENDING).first()
    if req is None:
        raise ValidationFailed("没有待审核的延期申请", code="nothing_to_review")
    req.reviewed_by, req.reviewed_at, req.review_note = actor, clock.now(), (note or "")[:2000]
    data = {"approve": approve}
    if approve:
        req.status = order.extension_status = ReviewStatus.APPROVED
        clk, span = span_for(req.amount, req.unit)
        req.old_due_at = order.due_at
        shift_clock(order, span, clk)
        req.new_due_at = order.due_at
        order.assignments.filter(state__in=ACTIVE_ASSIGNMENT_STATES,
                                 role=AssignmentRole.LEAD).update(due_at=order.due_at)
        data.update(old_due_at=req.old_due_at.isoformat(), new_due_at=req.new_due_at.isoformat())
    else:
        req.status = order.extension_status = ReviewStatus.REJECTED
    req.save()
    record(order, "review_extension", actor, note=note, data=data, target_unit=order.lead_unit)
    save(order)
    notify_unit(order.lead_unit_id, "extension_reviewed",
                f"工单 {order.number} 延期申请{'已同意' if approve else '未同意'}", order)
    return order


@transaction.atomic
def do_merge(order: WorkOrder, actor, master_number: str, note: str = "") -> WorkOrder:
    """Merge a duplicate into a master order; the citizen later gets the master's result."""
    order = begin(order, "merge", actor)
    require_dispatcher(order, actor)
    if order.is_sub_order:
        raise ValidationFailed("子单不能并单", code="sub_order")
    master = WorkOrder.objects.select_for_update().filter(number=str(master_number)[:40]).first()
    if master is None or master.pk == order.pk:
        raise ValidationFailed("主单不存在或与本单相同", code="bad_master")
    if master.master_id is not None or master.state in (State.WITHDRAWN, State.MERGED):
        raise ValidationFailed("主单已撤单或已并入其他工单", code="bad_master")
    if master.is_sub_order:
        raise ValidationFailed("不能并入子单", code="bad_master")
    if order.merged_orders.exists():
        raise ValidationFailed("本单已是其他工单的主单，不能再并入", code="is_master")
    _cancel_active(order, actor, "并单")
    order.returns.filter(status="pending").update(status="rejected", review_note="工单已并单")
    order.extensions.filter(status="pending").update(status="rejected", review_note="工单已并单")
    order.master = master
    order.state = State.MERGED
    order.paused_at = None
    record(order, "merge", actor, note=note, data={"master": master.number})
    save(order)
    master._from_state = master.state
    record(master, "merged_in", actor, note=note, data={"order": order.number})
    save(master)
    if master.state == State.CLOSED:
        from .closing import copy_result

        copy_result(master, order, actor)
    return order
