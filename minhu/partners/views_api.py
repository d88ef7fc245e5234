"""What a partner sees of its orders: our states, their labels, a coarse stage for simple
clients, the reply once there is one. Nothing about internal handling (units' notes,
returns, urgings) and the citizen's data only as the partner sent it."""

from datetime import datetime

from django.utils import timezone
from ninja import Field, Schema

from minhu.orders.models import WorkOrder
from minhu.orders.states import State

STAGES = {
    State.REGISTERED: "received",
    State.DISPATCHED: "processing",
    State.HANDLING: "processing",
    State.RETURN_REVIEW: "processing",
    State.REPLIED: "replied",
    State.DISSATISFIED_REVIEW: "replied",
    State.CLOSED: "closed",
    State.WITHDRAWN: "withdrawn",
    State.MERGED: "merged",
}
REPLIED_STATES = frozenset({State.REPLIED, State.DISSATISFIED_REVIEW, State.CLOSED})


class ReplyOut(Schema):
    text: str
    solved: bool | None = None
    unit: str = ""
    handler: str = ""
    handler_phone: str = ""
    at: datetime | None = None


class PartnerOrderOut(Schema):
    partner_id: str = Field(..., description="合作方自己的编号")
    number: str = Field(..., description="12345 工单编号")
    channel: str
    state: str = Field(..., description="工单状态编码")
    state_label: str = Field(..., description="工单状态（中文）")
    stage: str = Field(..., description="简化阶段：received / processing / replied / closed / "
                                        "withdrawn / merged")
    created_at: datetime
    updated_at: datetime
    replied_at: datetime | None = None
    closed_at: datetime | None = None
    reply: ReplyOut | None = None


class PartnerPageOut(Schema):
    items: list[PartnerOrderOut]
    next_cursor: str | None = Field(None, description="下一页游标；为空表示已到末尾")


def city(moment: datetime | None) -> datetime | None:
    """Answers carry the city's offset (+08:00), like the rest of the API."""
    return timezone.localtime(moment) if moment else None


def reply_of(order: WorkOrder) -> dict | None:
    if order.state not in REPLIED_STATES or not order.reply_text:
        return None
    unit = order.reply_unit.name if order.reply_unit_id and order.reply_unit else ""
    return {"text": order.reply_text, "solved": order.reply_solved, "unit": unit,
            "handler": order.reply_handler, "handler_phone": order.reply_handler_phone,
            "at": city(order.replied_at)}


def partner_view(order: WorkOrder, their_id: str) -> dict:
    return {
        "partner_id": their_id, "number": order.number, "channel": order.channel,
        "state": order.state, "state_label": State.source_label_of(order.state),
        "stage": STAGES.get(order.state, "processing"),
        "created_at": city(order.created_at), "updated_at": city(order.updated_at),
        "replied_at": city(order.replied_at), "closed_at": city(order.closed_at),
        "reply": reply_of(order),
    }
