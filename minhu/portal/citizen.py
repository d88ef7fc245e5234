"""An order as its citizen understands it: four plain states, a timeline in everyday
words, the reply and who to contact. Internal notes, staff names (other than the handler
who replied) and other citizens' data never appear."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.translation import gettext, gettext_noop

from minhu.catalog.models import PlatformSettings
from minhu.core import clock
from minhu.orders.access import mask_name, mask_phone
from minhu.orders.models import TimelineEvent, WorkOrder
from minhu.orders.states import State

# The citizen's four words are keys (compared in code and templates) and msgids: pages show
# them with {% translate %}, so they read in the citizen's language.
RECEIVED, HANDLING, REPLIED, CLOSED, WITHDRAWN = (
    gettext_noop("受理"), gettext_noop("办理中"), gettext_noop("已答复"), gettext_noop("已办结"),
    gettext_noop("已撤销"))
STEPS = (RECEIVED, HANDLING, REPLIED, CLOSED)

_STATE = {
    State.REGISTERED: RECEIVED,
    State.DISPATCHED: HANDLING, State.HANDLING: HANDLING, State.RETURN_REVIEW: HANDLING,
    State.DISSATISFIED_REVIEW: HANDLING,
    State.REPLIED: REPLIED,
    State.CLOSED: CLOSED,
    State.WITHDRAWN: WITHDRAWN,
}


def citizen_state(order: WorkOrder) -> str:
    if order.state == State.MERGED:
        return CLOSED if order.closed_at else HANDLING
    return _STATE.get(order.state, HANDLING)


def _unit(event: TimelineEvent) -> str:
    return event.target_unit.name if event.target_unit_id else ""


def _words(event: TimelineEvent) -> str | None:
    """What the citizen is told about one event, in the reader's language; None: an
    internal step."""
    a, data = event.action, event.data or {}
    unit = _unit(event)
    if a == "register":
        return gettext("您的诉求已受理")
    if a in ("dispatch", "reassign", "sub_dispatch") and unit:
        return gettext("已交由%(unit)s办理") % {"unit": unit}
    if a == "review_return" and data.get("approve") and unit:
        return gettext("已改由%(unit)s办理") % {"unit": unit}
    if a == "escalate":
        return gettext("已由上级单位牵头办理")
    if a == "sign":
        return (gettext("%(unit)s已接收，正在办理") % {"unit": unit} if unit
                else gettext("承办单位已接收，正在办理"))
    if a == "reply":
        return gettext("承办单位已答复")
    if a in ("callback", "citizen_rate") and data.get("satisfaction"):
        return gettext("已记录您的评价")
    if a == "review_dissatisfaction":
        return gettext("已安排重新办理") if data.get("reopen") else gettext("经复核，诉求已办结")
    if a == "citizen_reopen":
        return gettext("您已申请重新办理")
    if a == "answer_directly":
        return gettext("已直接答复并办结")
    if a == "withdraw":
        return gettext("诉求已撤销")
    if a == "merge":
        return gettext("与同类诉求合并办理")
    if a == "master_closed":
        return gettext("同类诉求已办结")
    return None


def _says_closed(event: TimelineEvent) -> bool:
    """Events whose words already tell the citizen the matter is closed."""
    return event.action == "answer_directly" or (
        event.action == "review_dissatisfaction" and not (event.data or {}).get("reopen"))


@dataclass
class Step:
    at: datetime
    text: str


def timeline(order: WorkOrder) -> list[Step]:
    steps, seen, closed_said = [], set(), False
    events = (TimelineEvent.objects.filter(order=order).select_related("target_unit")
              .order_by("seq"))
    for event in events:
        text = _words(event)
        # The same words twice in a row (dispatch then sub-dispatch to another unit are
        # different; the same unit twice is not) say nothing new.
        if text and (text, event.target_unit_id) not in seen:
            steps.append(Step(event.at, text))
            seen = {(text, event.target_unit_id)}
            closed_said = _says_closed(event)
    if order.state == State.CLOSED and order.closed_at and not closed_said:
        steps.append(Step(order.closed_at, gettext("已办结")))
    return steps


def reopen_until(order: WorkOrder) -> datetime | None:
    if order.state != State.CLOSED or order.closed_at is None:
        return None
    return order.closed_at + timedelta(days=PlatformSettings.current().citizen_reopen_days)


def view(order: WorkOrder) -> dict:
    state = citizen_state(order)
    until = reopen_until(order)
    shown_reply = order.reply_text if state in (REPLIED, CLOSED) else ""
    return {
        "number": order.number, "state": state, "steps": STEPS,
        "step_index": STEPS.index(state) if state in STEPS else -1,
        "content": order.content, "address": order.address or (str(order.place)
                                                               if order.place_id else ""),
        "created_at": order.created_at,
        "citizen": {"name": mask_name(order.citizen_name),
                    "phone": mask_phone(order.citizen_phone)},
        "timeline": timeline(order),
        "reply": shown_reply,
        "reply_unit": order.reply_unit.name if shown_reply and order.reply_unit_id else "",
        "handler": order.reply_handler if shown_reply else "",
        "handler_phone": order.reply_handler_phone if shown_reply else "",
        "replied_at": order.replied_at if shown_reply else None,
        "handling_unit": order.lead_unit.name if order.lead_unit_id else "",
        "can_reopen": bool(until and clock.now() <= until and not order.is_sub_order),
        "reopen_closed": bool(until and clock.now() > until),
        "reopen_until": until,
    }
