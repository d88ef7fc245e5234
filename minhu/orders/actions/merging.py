"""Undo a merge: the order was not the same matter after all."""

from django.db import transaction

from ..models import WorkOrder
from ..states import State
from ._base import ValidationFailed, begin, record, require_dispatcher, require_text, save


@transaction.atomic
def do_unmerge(order: WorkOrder, actor, reason: str) -> WorkOrder:
    """Take a merged order out of its master, back to the dispatch pool. Refused once the
    master's result has reached the citizen: that answer cannot be taken back."""
    order = begin(order, "unmerge", actor)
    require_dispatcher(order, actor)
    reason = require_text(reason, "取消并单原因")
    master = (WorkOrder.objects.select_for_update().filter(pk=order.master_id).first()
              if order.master_id else None)
    if master is None:
        raise ValidationFailed("本单未并入其他工单", code="not_merged")
    if order.closed_at is not None or master.state == State.CLOSED:
        raise ValidationFailed("主单已办结，结果已告知诉求人，不能取消并单", code="master_closed")
    order.master = None
    order.state = State.REGISTERED
    order.lead_unit = None
    order.dispatched_at = order.due_at = order.yellow_at = order.paused_at = None
    order.is_yellow = order.is_overdue = False
    record(order, "unmerge", actor, note=reason, data={"master": master.number})
    save(order)
    master._from_state = master.state
    record(master, "unmerged_out", actor, note=reason, data={"order": order.number})
    save(master)
    return order
