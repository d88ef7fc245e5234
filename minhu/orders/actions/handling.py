"""Unit inbox: sign, return, report upward, sub-dispatch, summon (吹哨) and report in
(报到), ask for an extension, reply."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from minhu.org.kinds import FUNCTIONAL_KINDS, GRASSROOTS_KINDS, TERRITORIAL_LEVELS, UnitKind
from minhu.org.models import Unit
from minhu.workcal.clock import span_for

from ..models import ExtensionRequest, ReturnRequest, WorkOrder
from ..states import (
    AssignmentRole,
    AssignmentState,
    Channel,
    CloseReason,
    ReturnKind,
    ReviewStatus,
    State,
)
from ._base import (
    ValidationFailed,
    begin,
    clock,
    handling_unit,
    lead_assignment,
    my_assignment,
    notify_unit,
    record,
    require_text,
    save,
    summon_deadline,
)
from .closing import close_children
from .dispatch import create_assignment

HANDLER_ROLES = (AssignmentRole.LEAD, AssignmentRole.CO, AssignmentRole.SUMMONED)
MAX_EXTENSION = {"hours": 72, "days": 30, "workdays": 20}
MAX_SUMMONED = 10


@transaction.atomic
def do_sign(order: WorkOrder, actor, note: str = "") -> WorkOrder:
    order = begin(order, "sign", actor)
    a = my_assignment(order, actor, roles=(AssignmentRole.LEAD, AssignmentRole.CO),
                      states=[AssignmentState.PENDING_SIGN])
    a.state, a.signed_at = AssignmentState.HANDLING, clock.now()
    a.save(update_fields=["state", "signed_at"])
    if a.role == AssignmentRole.LEAD:
        order.state = State.HANDLING
    record(order, "sign", actor, note=note, target_unit=a.unit, data={"role": a.role})
    save(order)
    return order


def _return_request(order, actor, a, kind: str, reason: str, suggested_unit) -> None:
    suggested = Unit.objects.filter(pk=suggested_unit).first() if suggested_unit else None
    ReturnRequest.objects.create(
        order=order, assignment=a, kind=kind, reason=reason, suggested_unit=suggested,
        requested_by=actor, requested_at=clock.now(), prior_assignment_state=a.state,
    )
    a.state = AssignmentState.RETURNED
    a.save(update_fields=["state"])
    order.state = State.RETURN_REVIEW
    order.paused_at = clock.now()


@transaction.atomic
def do_return(order: WorkOrder, actor, reason: str, suggested_unit=None) -> WorkOrder:
    """Hand a wrongly dispatched order back to the dispatcher, with a reason."""
    order = begin(order, "return", actor)
    reason = require_text(reason, "退单理由")
    if len(reason) < 5:
        raise ValidationFailed("请具体说明退单理由（至少 5 个字），便于派单员审核",
                               code="reason_too_short")
    if order.is_sub_order:
        raise ValidationFailed("子单不能退单，如本级无法办理请上报", code="sub_order")
    a = my_assignment(order, actor, roles=[AssignmentRole.LEAD],
                      states=[AssignmentState.PENDING_SIGN, AssignmentState.HANDLING])
    _return_request(order, actor, a, ReturnKind.RETURN, reason, suggested_unit)
    record(order, "return", actor, note=reason, target_unit=order.dispatch_unit)
    save(order)
    notify_unit(order.dispatch_unit_id, "return", f"工单 {order.number} 被退回，待审核", order)
    return order


@transaction.atomic
def do_report_up(order: WorkOrder, actor, reason: str, suggested_unit=None) -> WorkOrder:
    """This level cannot solve it: a sub-order goes back to the unit above (社呼街应);
    a top-level order goes to the dispatcher for a higher-level unit (街呼市应)."""
    order = begin(order, "report_up", actor)
    reason = require_text(reason, "上报理由")
    a = my_assignment(order, actor, roles=[AssignmentRole.LEAD],
                      states=[AssignmentState.HANDLING])
    if order.is_sub_order:
        a.state = AssignmentState.DONE
        a.save(update_fields=["state"])
        # The sub-order ends here: co-handlers and summoned departments are no longer
        # waited for (as when the lead replies).
        order.assignments.filter(state__in=[AssignmentState.PENDING_SIGN,
                                            AssignmentState.HANDLING]
                                 ).exclude(pk=a.pk).update(state=AssignmentState.DONE)
        close_children(order, actor, "上级单位已上报")
        order.state = State.CLOSED
        order.closed_at = clock.now()
        order.close_reason = CloseReason.REPORTED_UP
        record(order, "report_up", actor, note=reason, target_unit=order.dispatch_unit)
        save(order)
        parent = WorkOrder.objects.select_for_update().get(pk=order.parent_id)
        parent._from_state = parent.state
        record(parent, "sub_reported_up", actor, note=reason, target_unit=a.unit,
               data={"sub_order": order.number})
        save(parent)
        notify_unit(order.dispatch_unit_id, "sub_reported_up",
                    f"子单 {order.number} 已由{a.unit.name}上报：{reason[:100]}", parent)
        return order
    _return_request(order, actor, a, ReturnKind.REPORT_UP, reason, suggested_unit)
    record(order, "report_up", actor, note=reason, target_unit=order.dispatch_unit)
    save(order)
    notify_unit(order.dispatch_unit_id, "report_up", f"工单 {order.number} 上报，待审核", order)
    return order


@transaction.atomic
def do_sub_dispatch(order: WorkOrder, actor, unit_id, note: str,
                    due_at: datetime | None = None) -> WorkOrder:
    """Street → community → grid: create a sub-order for a unit below the actor's own.
    Returns the sub-order."""
    order = begin(order, "sub_dispatch", actor)
    note = require_text(note, "下派说明")
    a = my_assignment(order, actor, roles=HANDLER_ROLES, states=[AssignmentState.HANDLING])
    target = handling_unit(unit_id, field="下派单位")
    if not target.is_within(a.unit) or target.pk == a.unit.pk:
        raise ValidationFailed(f"只能下派给本单位的下级单位，“{target.name}”不是", code="not_below")
    if a.unit.kind in FUNCTIONAL_KINDS and target.kind in GRASSROOTS_KINDS:
        raise ValidationFailed("职能部门事项不得下派至街道、社区或网格", code="functional_down")
    if target.kind not in TERRITORIAL_LEVELS and a.unit.kind in TERRITORIAL_LEVELS:
        raise ValidationFailed("属地单位只能下派给下级属地单位", code="not_territorial")
    now = clock.now()
    due = min(d for d in (due_at, order.due_at) if d is not None) if (due_at or order.due_at) \
        else None
    if due is not None and due <= now:
        raise ValidationFailed("子单期限必须晚于当前时间", code="bad_due")
    n = order.children.count() + 1
    child = WorkOrder(
        number=f"{order.number}-{n}", channel=Channel.SUB_DISPATCH, parent=order,
        state=State.DISPATCHED, citizen_name=order.citizen_name,
        citizen_phone=order.citizen_phone, is_anonymous=order.is_anonymous,
        is_confidential=order.is_confidential, is_enterprise=order.is_enterprise,
        enterprise_name=order.enterprise_name, title=order.title, content=order.content,
        request_type=order.request_type, category=order.category, urgency=order.urgency,
        address=order.address, lat=order.lat, lng=order.lng, place=order.place,
        district=order.district, street=order.street, community=order.community,
        grid=order.grid, registered_by=actor, dispatch_unit=a.unit, lead_unit=target,
        created_at=now, updated_at=now, dispatched_at=now, due_at=due,
        yellow_at=now + (due - now) * float(order.urgency.yellow_ratio) if due else None,
        external_due_at=order.external_due_at,
    )
    child._from_state = ""
    child.save()
    create_assignment(child, target, AssignmentRole.LEAD, actor)
    record(child, "sub_created", actor, note=note, target_unit=target,
           data={"parent": order.number})
    save(child)
    record(order, "sub_dispatch", actor, note=note, target_unit=target,
           data={"sub_order": child.number})
    save(order)
    notify_unit(target.pk, "dispatched", f"新下派工单 {child.number}，请及时签收", child)
    return child


@transaction.atomic
def do_summon(order: WorkOrder, actor, unit_ids, note: str) -> WorkOrder:
    """街乡吹哨、部门报到: a street/town calls departments in as co-handlers."""
    order = begin(order, "summon", actor)
    note = require_text(note, "吹哨事由")
    a = my_assignment(order, actor, roles=[AssignmentRole.LEAD], states=[AssignmentState.HANDLING])
    if a.unit.kind != UnitKind.STREET:
        raise ValidationFailed("只有街道/乡镇可以吹哨召集部门", code="not_street")
    ids = list(dict.fromkeys(unit_ids or []))
    if not ids or len(ids) > MAX_SUMMONED:
        raise ValidationFailed(f"请选择 1–{MAX_SUMMONED} 个部门", code="bad_units")
    due = summon_deadline()
    held = set(order.assignments.filter(state__in=[AssignmentState.PENDING_SIGN,
                                                   AssignmentState.HANDLING])
               .values_list("unit_id", flat=True))
    summoned = []
    for uid in ids:
        unit = handling_unit(uid, field="被召集部门")
        if unit.kind not in FUNCTIONAL_KINDS:
            raise ValidationFailed(f"“{unit.name}”不是职能部门或公共服务企业",
                                   code="not_department")
        if unit.pk in held:
            continue
        create_assignment(order, unit, AssignmentRole.SUMMONED, actor, summoned_by=a.unit,
                          sign_due_at=due)
        summoned.append(unit)
        local_due = timezone.localtime(due)
        notify_unit(unit.pk, "summoned", f"{a.unit.name}就工单 {order.number} 吹哨，"
                    f"请于 {local_due:%m-%d %H:%M} 前报到", order)
    record(order, "summon", actor, note=note,
           data={"units": [u.code for u in summoned], "report_due_at": due.isoformat()})
    save(order)
    return order


@transaction.atomic
def do_report_in(order: WorkOrder, actor, note: str = "") -> WorkOrder:
    order = begin(order, "report_in", actor)
    a = my_assignment(order, actor, roles=[AssignmentRole.SUMMONED],
                      states=[AssignmentState.PENDING_SIGN])
    a.state, a.signed_at = AssignmentState.HANDLING, clock.now()
    a.save(update_fields=["state", "signed_at"])
    record(order, "report_in", actor, note=note, target_unit=a.summoned_by,
           data={"late": bool(a.sign_due_at and a.signed_at > a.sign_due_at)})
    save(order)
    return order


@transaction.atomic
def do_request_extension(order: WorkOrder, actor, amount: int, unit: str,
                         reason: str) -> WorkOrder:
    order = begin(order, "request_extension", actor)
    reason = require_text(reason, "延期理由")
    my_assignment(order, actor, roles=[AssignmentRole.LEAD],
                  states=[AssignmentState.PENDING_SIGN, AssignmentState.HANDLING])
    if unit not in MAX_EXTENSION:
        raise ValidationFailed("延期单位须为 hours、days 或 workdays", code="bad_unit")
    if not isinstance(amount, int) or not (1 <= amount <= MAX_EXTENSION[unit]):
        raise ValidationFailed(f"延期量须在 1–{MAX_EXTENSION[unit]} 之间", code="bad_amount")
    if order.due_at is None or clock.now() >= order.due_at:
        raise ValidationFailed("已超过办理期限，不能再申请延期", code="past_due")
    if order.extension_status == ReviewStatus.PENDING:
        raise ValidationFailed("已有待审核的延期申请", code="pending_exists")
    span_for(amount, unit)
    ExtensionRequest.objects.create(order=order, amount=amount, unit=unit, reason=reason,
                                    requested_by=actor, requested_at=clock.now())
    order.extension_status = ReviewStatus.PENDING
    record(order, "request_extension", actor, note=reason, data={"amount": amount, "unit": unit})
    save(order)
    notify_unit(order.dispatch_unit_id, "extension", f"工单 {order.number} 申请延期", order)
    return order


@transaction.atomic
def do_reply(order: WorkOrder, actor, text: str, *, solved: bool, handler_name: str = "",
             handler_phone: str = "") -> WorkOrder:
    """The lead's reply answers the order; a co-handler's reply goes to the lead; a
    sub-order's reply closes it and reaches the unit above."""
    order = begin(order, "reply", actor)
    text = require_text(text, "答复内容")
    a = my_assignment(order, actor, roles=HANDLER_ROLES, states=[AssignmentState.HANDLING])
    now = clock.now()
    a.reply_text, a.reply_solved, a.replied_at = text, bool(solved), now
    a.handler_name = (handler_name or str(actor)).strip()[:64]
    a.handler_phone = (handler_phone or actor.phone or "").strip()[:32]
    if a.role != AssignmentRole.LEAD:
        a.state = AssignmentState.REPLIED
        a.save()
        lead = lead_assignment(order)
        record(order, "co_reply", actor, note=text, target_unit=lead.unit if lead else None,
               data={"solved": bool(solved)})
        save(order)
        if lead:
            notify_unit(lead.unit_id, "co_reply",
                        f"{a.unit.name}已就工单 {order.number} 答复协办意见", order)
        return order
    a.state = AssignmentState.REPLIED if not order.is_sub_order else AssignmentState.DONE
    a.save()
    order.reply_text, order.reply_solved, order.replied_at = text, bool(solved), now
    order.reply_handler, order.reply_handler_phone = a.handler_name, a.handler_phone
    order.reply_unit = a.unit
    # Co-handlers that have not answered are no longer waited for.
    order.assignments.filter(state__in=[AssignmentState.PENDING_SIGN, AssignmentState.HANDLING]
                             ).exclude(pk=a.pk).update(state=AssignmentState.DONE)
    # Sub-orders still open are no longer needed once this level has answered.
    close_children(order, actor, "上级单位已答复")
    if order.is_sub_order:
        order.state, order.closed_at = State.CLOSED, now
        order.close_reason = CloseReason.SUB_REPLIED
        record(order, "reply", actor, note=text, data={"solved": bool(solved)})
        save(order)
        parent = WorkOrder.objects.select_for_update().get(pk=order.parent_id)
        parent._from_state = parent.state
        record(parent, "sub_reply", actor, note=text, target_unit=a.unit,
               data={"sub_order": order.number, "solved": bool(solved)})
        save(parent)
        notify_unit(order.dispatch_unit_id, "sub_reply", f"子单 {order.number} 已答复", parent)
        return order
    order.state = State.REPLIED
    record(order, "reply", actor, note=text, data={"solved": bool(solved)})
    save(order)
    return order
