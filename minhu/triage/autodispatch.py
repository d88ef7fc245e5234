"""Auto-dispatch 智能分拨自动派单: triage every new order, and dispatch it on its own when
it is sure.

When an order is registered (``event_committed``, action ``register``) a Huey job computes
and records the suggestion. If ``TriagePolicy.auto_dispatch`` is on, the order still waits
in the centre's pool, and the top route's confidence reaches
``auto_dispatch_threshold``, the job dispatches it through ``do_dispatch`` as the triage
service account (dispatcher role only), with the note
"智能分拨自动派单：<reason>（置信度 93%）". Otherwise the order stays in the queue and the
desk shows the suggestion.

Replayed history (the demo city's months of orders, stamped long before the real "now")
is not triaged: the job is for requests arriving now.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.utils import timezone
from huey.contrib.djhuey import db_task

from minhu.accounts.roles import Role
from minhu.core.errors import MinhuError
from minhu.orders.models import WorkOrder
from minhu.orders.states import Channel, State
from minhu.org.kinds import UnitKind

from .models import TriagePolicy, TriageRecord
from .suggest import record, suggest
from .types import Suggestion

log = logging.getLogger(__name__)

BOT_USERNAME = "svc-triage"
BOT_NAME = "智能分拨"
NOTE_PREFIX = "智能分拨自动派单："
# Channels that route their own orders right after registering them (QR codes go to the
# building's community first); triage only records its suggestion for them.
SELF_ROUTING_CHANNELS = frozenset({Channel.QR})
# An event stamped this long before the real time is a replay, not a new request.
REPLAY_SLACK = timedelta(minutes=10)
# A likely duplicate is for a person to merge, not for a machine to dispatch twice.
DUPLICATE_HOLD_SCORE = 0.8


def triage_account():
    from minhu.intake.actions import service_account

    return service_account(BOT_USERNAME, BOT_NAME, roles=(Role.DISPATCHER,))


def note_for(reason: str, confidence: float) -> str:
    return f"{NOTE_PREFIX}{reason}（置信度 {round(confidence * 100)}%）"


def why_not(order: WorkOrder, suggestion: Suggestion, policy: TriagePolicy) -> str:
    """Why this order is not auto-dispatched ("" when it may be)."""
    if not policy.auto_dispatch:
        return "未启用自动派单"
    if order.state != State.REGISTERED:
        return "工单已不在派单池"
    if order.dispatch_unit.kind != UnitKind.CENTRE:
        return "工单已转分中心"
    if order.channel in SELF_ROUTING_CHANNELS or order.parent_id:
        return "该渠道自行分拨"
    if not suggestion.routes:
        return "没有派单建议"
    if suggestion.routes[0].confidence < policy.auto_dispatch_threshold:
        return "置信度低于阈值"
    if any(d.score >= DUPLICATE_HOLD_SCORE for d in suggestion.duplicates):
        return "疑似重复诉求，需人工判断"
    return ""


def auto_dispatch(order: WorkOrder, suggestion: Suggestion,
                  rec: TriageRecord | None = None) -> WorkOrder | None:
    """Dispatch ``order`` by the top route when the policy allows; the dispatched order,
    or None when it stays in the queue."""
    policy = TriagePolicy.current()
    refusal = why_not(order, suggestion, policy)
    if refusal:
        log.debug("order %s not auto-dispatched: %s", order.number, refusal)
        return None
    from minhu.orders.actions import do_dispatch

    top = suggestion.routes[0]
    try:
        done = do_dispatch(
            order, triage_account(), top.lead_id, top.co_ids,
            category=None if order.category_id else top.category_code,
            note=note_for(top.reason, top.confidence))
    except MinhuError as exc:
        # A dispatcher was faster, or the unit was switched off meanwhile: the queue has it.
        log.info("auto-dispatch of %s refused: %s", order.number, exc.message)
        return None
    if rec is not None:
        TriageRecord.objects.filter(pk=rec.pk).update(auto_dispatched=True)
    return done


def triage_order(order_id: int) -> TriageRecord | None:
    """Compute and record the suggestion for a new order, then auto-dispatch if sure."""
    order = (WorkOrder.objects.select_related("category", "dispatch_unit")
             .filter(pk=order_id).first())
    if order is None:
        return None
    suggestion = suggest(order)
    rec = record(order, suggestion)
    if auto_dispatch(order, suggestion, rec) is not None:
        rec.auto_dispatched = True
    return rec


@db_task()
def triage_new_order(order_id: int):
    rec = triage_order(order_id)
    return rec.pk if rec is not None else None


def on_event_committed(sender, order, event, **kwargs) -> None:
    if event.action != "register" or order.state != State.REGISTERED:
        return
    if event.at < timezone.now() - REPLAY_SLACK:
        return
    try:
        triage_new_order(order.pk)
    except Exception:  # noqa: BLE001 - the order is registered; triage must not undo that
        log.exception("could not queue triage for order %s", order.number)
