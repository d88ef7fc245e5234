"""Callback (回访), the review of dissatisfaction (重办), and what closing an order does
to its sub-orders and to the orders merged into it."""

from datetime import timedelta

from django.db import transaction

from minhu.catalog.models import CallbackDimension, PlatformSettings

from ..models import Callback, WorkOrder
from ..states import (
    AssignmentRole,
    AssignmentState,
    CloseReason,
    ResolvedChoices,
    Satisfaction,
    State,
)
from ._base import (
    ValidationFailed,
    begin,
    clock,
    notify_unit,
    record,
    require_dispatcher,
    save,
    start_clock,
)


def close_children(order: WorkOrder, actor, reason: str) -> None:
    """Recall every open sub-order (recursively) when the parent no longer needs it."""
    for child in order.children.select_for_update().exclude(
            state__in=[State.CLOSED, State.WITHDRAWN, State.MERGED]):
        child._from_state = child.state
        close_children(child, actor, reason)
        child.assignments.filter(state__in=[AssignmentState.PENDING_SIGN,
                                            AssignmentState.HANDLING]
                                 ).update(state=AssignmentState.CANCELLED)
        child.state, child.closed_at = State.CLOSED, clock.now()
        child.close_reason = CloseReason.RECALLED
        record(child, "sub_recalled", actor, note=reason)
        save(child)
        notify_unit(child.lead_unit_id, "recalled", f"子单 {child.number} 已收回：{reason}", child)


def copy_result(master: WorkOrder, order: WorkOrder, actor) -> None:
    """Give a merged order its master's result, and tell its citizen (after commit)."""
    order._from_state = order.state
    for f in ("reply_text", "reply_solved", "reply_handler", "reply_handler_phone",
              "reply_unit_id", "replied_at", "closed_at"):
        setattr(order, f, getattr(master, f))
    order.close_reason = master.close_reason
    record(order, "master_closed", actor, data={"master": master.number},
           note=f"主单 {master.number} 已办结，结果同步告知诉求人")
    save(order)

    rounds = master.reopen_count

    def tell_citizen():
        from minhu.notices.actions import send_citizen_result

        send_citizen_result(order.pk, round=rounds)

    transaction.on_commit(tell_citizen)


def propagate_to_merged(master: WorkOrder, actor) -> None:
    for order in master.merged_orders.select_for_update().filter(state=State.MERGED):
        copy_result(master, order, actor)


def _close(order: WorkOrder, actor, reason: str) -> None:
    order.state = State.CLOSED
    order.closed_at = clock.now()
    order.close_reason = reason
    order.assignments.filter(state=AssignmentState.REPLIED).update(state=AssignmentState.DONE)


def _scores(scores: dict | None) -> dict:
    scores = scores or {}
    if not isinstance(scores, dict):
        raise ValidationFailed("评价维度格式不正确", code="bad_scores")
    known = set(CallbackDimension.objects.filter(is_active=True).values_list("code", flat=True))
    clean = {}
    for code, value in scores.items():
        if code not in known:
            raise ValidationFailed(f"未知的评价维度“{str(code)[:20]}”", code="unknown_dimension")
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
            raise ValidationFailed("维度评分须为 1–5 的整数", code="bad_score")
        clean[code] = value
    return clean


@transaction.atomic
def do_callback(order: WorkOrder, actor, *, reached: bool, resolved: str = "",
                satisfaction: str = "", scores: dict | None = None, note: str = "") -> WorkOrder:
    """Record a callback. Unreached: stays waiting with a retry time. Satisfied or basically
    satisfied: closed. Dissatisfied: to review (reopen or close)."""
    order = begin(order, "callback", actor)
    now = clock.now()
    if not reached:
        retry = now + timedelta(hours=PlatformSettings.current().callback_retry_hours)
        Callback.objects.create(order=order, by=actor, at=now, reached=False, note=note[:2000],
                                round=order.reopen_count, retry_at=retry)
        record(order, "callback_unreached", actor, note=note, data={"retry_at": retry.isoformat()})
        save(order)
        return order
    _require_rating(resolved, satisfaction)
    clean = _scores(scores)
    return _rated(order, actor, "callback", resolved=resolved, satisfaction=satisfaction,
                  note=note, scores=clean, data={"scores": clean})


@transaction.atomic
def do_citizen_rate(order: WorkOrder, actor, *, resolved: str, satisfaction: str,
                    comment: str = "") -> WorkOrder:
    """The citizen rates the reply themselves (SMS link on the portal), instead of waiting
    for a callback: the same outcomes as a reached callback. The Callback row is recorded
    under the portal's service account, which marks it as the citizen's own rating."""
    order = begin(order, "citizen_rate", actor)
    if order.is_sub_order:
        raise ValidationFailed("子单不能评价", code="sub_order")
    _require_rating(resolved, satisfaction)
    comment = (comment or "").strip()
    if len(comment) > 1000:
        raise ValidationFailed("评价意见过长（最多 1000 字）", code="too_long")
    return _rated(order, actor, "citizen_rate", resolved=resolved, satisfaction=satisfaction,
                  note=comment, data={"by_citizen": True})


def _require_rating(resolved: str, satisfaction: str) -> None:
    if resolved not in ResolvedChoices.values:
        raise ValidationFailed("请选择是否解决（已解决/部分解决/未解决）", code="bad_resolved")
    if satisfaction not in Satisfaction.values:
        raise ValidationFailed("请选择满意度（满意/基本满意/不满意）", code="bad_satisfaction")


def _rated(order: WorkOrder, actor, action: str, *, resolved: str, satisfaction: str,
           note: str, scores: dict | None = None, data: dict) -> WorkOrder:
    """A rating reached the platform (callback or the citizen's own): keep it, then close
    the order or send it to review when the citizen is dissatisfied."""
    Callback.objects.create(order=order, by=actor, at=clock.now(), reached=True,
                            resolved=resolved, satisfaction=satisfaction, scores=scores or {},
                            note=note[:2000], round=order.reopen_count)
    order.resolved, order.satisfaction = resolved, satisfaction
    if not order.first_satisfaction:
        order.first_satisfaction = satisfaction
    if satisfaction == Satisfaction.DISSATISFIED:
        order.state = State.DISSATISFIED_REVIEW
    else:
        _close(order, actor, CloseReason.CALLBACK)
    record(order, action, actor, note=note,
           data={"resolved": resolved, "satisfaction": satisfaction, **data})
    save(order)
    if order.state == State.CLOSED:
        propagate_to_merged(order, actor)
    return order


@transaction.atomic
def do_review_dissatisfaction(order: WorkOrder, actor, *, reopen: bool,
                              note: str = "") -> WorkOrder:
    """Reopen (重办) to the same lead unit with a fresh, shorter clock, or close the order
    if the review finds the unit did what could be done."""
    order = begin(order, "review_dissatisfaction", actor)
    if actor.has_role("dispatcher") and not actor.has_role("supervisor"):
        require_dispatcher(order, actor)
    if not (note or "").strip():
        raise ValidationFailed("请填写审核意见", code="missing_text")
    if reopen:
        from .dispatch import create_assignment

        if order.lead_unit is None:
            raise ValidationFailed("该工单没有主办单位，无法重办", code="no_lead")
        order.assignments.filter(state=AssignmentState.REPLIED).update(
            state=AssignmentState.DONE)
        order.reopen_count += 1
        order.state = State.DISPATCHED
        order.dispatched_at = clock.now()
        order.replied_at = None
        start_clock(order, amount=PlatformSettings.current().reopen_limit_days, unit="days")
        create_assignment(order, order.lead_unit, AssignmentRole.LEAD, actor)
        notify_unit(order.lead_unit_id, "reopened",
                    f"工单 {order.number} 回访不满意，经审核重办：{note.strip()[:200]}", order)
    else:
        _close(order, actor, CloseReason.REVIEWED)
    record(order, "review_dissatisfaction", actor, note=note, target_unit=order.lead_unit,
           data={"reopen": reopen})
    save(order)
    if order.state == State.CLOSED:
        propagate_to_merged(order, actor)
    return order
