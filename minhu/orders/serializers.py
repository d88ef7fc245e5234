"""What the API shows of an order: output schemas (for OpenAPI) and the presenters that
build them. Citizen data always goes through ``access.citizen_view``; lists never reveal.
"""

from datetime import datetime
from typing import Any

from django.utils import timezone
from ninja import Field, Schema

from minhu.core.errors import Forbidden
from minhu.org.models import Unit

from . import transitions
from .access import HIDDEN_NAME, citizen_view, may_reveal
from .models import WorkOrder
from .states import (
    AssignmentRole,
    AssignmentState,
    Channel,
    CloseReason,
    ResolvedChoices,
    ReviewStatus,
    Satisfaction,
    State,
)

SUMMARY_CHARS = 120
SYSTEM_ACTOR = "系统"


# --- Schemas ---------------------------------------------------------------------


class ErrorOut(Schema):
    code: str = Field(..., description="稳定的错误编码，如 not_found、validation_failed")
    message: str = Field(..., description="中文说明，可直接展示给用户")
    details: dict[str, Any] = Field(default_factory=dict)


class CodeName(Schema):
    code: str
    name: str


class UnitRef(Schema):
    code: str
    name: str


class CategoryOut(Schema):
    code: str
    name: str
    parent: CodeName | None = None


class CitizenOut(Schema):
    name: str = Field(..., description="诉求人（默认脱敏）")
    phone: str = Field(..., description="联系电话（默认脱敏）")
    masked: bool
    confidential: bool
    is_anonymous: bool
    is_enterprise: bool
    enterprise_name: str


class DeadlinesOut(Schema):
    dispatched_at: datetime | None
    due_at: datetime | None
    yellow_at: datetime | None
    external_due_at: datetime | None
    paused: bool = Field(..., description="计时是否暂停（退单审核等）")
    paused_at: datetime | None
    replied_at: datetime | None
    closed_at: datetime | None


class FlagsOut(Schema):
    is_yellow: bool
    is_overdue: bool
    is_supervised: bool
    is_escalated: bool
    reopen_count: int
    urge_count: int
    unreasonable: str
    unreasonable_label: str
    unreasonable_reason: str
    extension_status: str
    extension_status_label: str


class ReplyOut(Schema):
    text: str
    solved: bool | None
    handler: str
    phone: str
    unit: UnitRef | None
    replied_at: datetime | None


class CallbackResultOut(Schema):
    resolved: str
    resolved_label: str
    satisfaction: str
    satisfaction_label: str
    first_satisfaction: str
    first_satisfaction_label: str


class AssignmentOut(Schema):
    unit: UnitRef
    role: str
    role_label: str
    state: str
    state_label: str
    dispatched_at: datetime
    sign_due_at: datetime | None
    signed_at: datetime | None
    due_at: datetime | None
    replied_at: datetime | None
    reply_text: str
    reply_solved: bool | None
    is_sign_overdue: bool
    summoned_by: UnitRef | None


class EventOut(Schema):
    seq: int
    at: datetime
    action: str
    action_label: str
    actor: str
    actor_unit: UnitRef | None
    from_state: str
    from_state_label: str
    to_state: str
    to_state_label: str
    target_unit: UnitRef | None
    note: str
    data: dict[str, Any]


class ExternalRefOut(Schema):
    channel: str
    external_id: str


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    purpose: str
    uploaded_at: datetime
    uploaded_by: str | None
    url: str = Field(..., description="下载地址（需同样的认证）")


class OrderSummaryOut(Schema):
    number: str
    channel: str
    channel_label: str
    state: str
    state_label: str
    title: str
    summary: str = Field(..., description=f"诉求内容前 {SUMMARY_CHARS} 字")
    request_type: CodeName
    category: CategoryOut | None
    urgency: CodeName
    address: str
    district: UnitRef | None
    street: UnitRef | None
    community: UnitRef | None
    lead_unit: UnitRef | None
    created_at: datetime
    due_at: datetime | None
    is_yellow: bool
    is_overdue: bool
    is_supervised: bool
    reopen_count: int
    citizen: CitizenOut


class OrderDetailOut(Schema):
    number: str
    channel: str
    channel_label: str
    state: str
    state_label: str
    is_open: bool
    title: str
    content: str
    request_type: CodeName
    category: CategoryOut | None
    urgency: CodeName
    address: str
    lat: float | None
    lng: float | None
    district: UnitRef | None
    street: UnitRef | None
    community: UnitRef | None
    grid: UnitRef | None
    dispatch_unit: UnitRef
    lead_unit: UnitRef | None
    created_at: datetime
    updated_at: datetime
    deadlines: DeadlinesOut
    flags: FlagsOut
    reply: ReplyOut
    callback: CallbackResultOut
    close_reason: str
    close_reason_label: str
    parent: str | None = Field(None, description="上级工单编号（子单才有）")
    children: list[str] = Field(..., description="下派子单编号")
    master: str | None = Field(None, description="并入的主单编号")
    merged: list[str] = Field(..., description="并入本单的工单编号")
    external_refs: list[ExternalRefOut]
    attachments: list[AttachmentOut]
    assignments: list[AssignmentOut]
    timeline: list[EventOut]
    citizen: CitizenOut


class OrderPageOut(Schema):
    count: int = Field(..., description="符合条件的工单总数")
    limit: int
    offset: int
    next_offset: int | None = Field(None, description="下一页的 offset；没有下一页时为 null")
    items: list[OrderSummaryOut]


# --- Presenters ---------------------------------------------------------------------


def local(dt: datetime | None) -> datetime | None:
    return timezone.localtime(dt) if dt is not None else None


def unit_ref(unit: Unit | None) -> dict | None:
    return {"code": unit.code, "name": unit.name} if unit is not None else None


def category_ref(category) -> dict | None:
    if category is None:
        return None
    parent = category.parent if category.parent_id else None
    return {"code": category.code, "name": category.name,
            "parent": {"code": parent.code, "name": parent.name} if parent else None}


def citizen(user, order: WorkOrder, *, reveal: bool = False, ip: str | None = None) -> dict:
    if reveal and not may_reveal(user, order):
        # citizen_view answers a hidden (confidential, anonymous) citizen without asking
        # about ``reveal``; the API refuses the request explicitly instead.
        raise Forbidden("您无权查看诉求人完整信息", code="pii_forbidden")
    view = citizen_view(user, order, reveal=reveal, via="api", ip=ip)
    hidden = view.get("name") == HIDDEN_NAME
    return {
        **view,
        "is_anonymous": order.is_anonymous,
        "is_enterprise": order.is_enterprise,
        # Whoever may not see the reporter may not see the reporting company either.
        "enterprise_name": "" if hidden else order.enterprise_name,
    }


def _base(order: WorkOrder) -> dict:
    return {
        "number": order.number,
        "channel": order.channel,
        "channel_label": Channel.label_of(order.channel),
        "state": order.state,
        "state_label": State.label_of(order.state),
        "title": order.title,
        "request_type": {"code": order.request_type.code, "name": order.request_type.name},
        "category": category_ref(order.category),
        "urgency": {"code": order.urgency.code, "name": order.urgency.name},
        "address": order.address,
        "district": unit_ref(order.district),
        "street": unit_ref(order.street),
        "community": unit_ref(order.community),
        "lead_unit": unit_ref(order.lead_unit),
        "created_at": local(order.created_at),
    }


LIST_RELATED = ("request_type", "category", "category__parent", "urgency", "district",
                "street", "community", "lead_unit")
DETAIL_RELATED = (*LIST_RELATED, "grid", "dispatch_unit", "reply_unit", "master", "parent")


def order_summary(user, order: WorkOrder) -> dict:
    content = order.content
    return {
        **_base(order),
        "summary": content if len(content) <= SUMMARY_CHARS else content[:SUMMARY_CHARS] + "…",
        "due_at": local(order.due_at),
        "is_yellow": order.is_yellow,
        "is_overdue": order.is_overdue,
        "is_supervised": order.is_supervised,
        "reopen_count": order.reopen_count,
        "citizen": citizen(user, order),
    }


def _assignments(order: WorkOrder) -> list[dict]:
    rows = order.assignments.select_related("unit", "summoned_by").order_by("pk")
    return [{
        "unit": unit_ref(a.unit),
        "role": a.role,
        "role_label": AssignmentRole.label_of(a.role),
        "state": a.state,
        "state_label": AssignmentState.label_of(a.state),
        "dispatched_at": local(a.dispatched_at),
        "sign_due_at": local(a.sign_due_at),
        "signed_at": local(a.signed_at),
        "due_at": local(a.due_at),
        "replied_at": local(a.replied_at),
        "reply_text": a.reply_text,
        "reply_solved": a.reply_solved,
        "is_sign_overdue": a.is_sign_overdue,
        "summoned_by": unit_ref(a.summoned_by),
    } for a in rows]


def _timeline(order: WorkOrder) -> list[dict]:
    rows = order.events.select_related("actor", "actor_unit", "target_unit").order_by("seq")
    return [{
        "seq": e.seq,
        "at": local(e.at),
        "action": e.action,
        "action_label": transitions.label(e.action),
        "actor": str(e.actor) if e.actor_id else SYSTEM_ACTOR,
        "actor_unit": unit_ref(e.actor_unit),
        "from_state": e.from_state,
        "from_state_label": State.label_of(e.from_state) if e.from_state else "",
        "to_state": e.to_state,
        "to_state_label": State.label_of(e.to_state) if e.to_state else "",
        "target_unit": unit_ref(e.target_unit),
        "note": e.note,
        "data": e.data if isinstance(e.data, dict) else {"value": e.data},
    } for e in rows]


def attachment_out(att) -> dict:
    return {
        "id": att.pk, "name": att.name, "content_type": att.content_type, "size": att.size,
        "purpose": att.purpose, "uploaded_at": local(att.uploaded_at),
        "uploaded_by": str(att.uploaded_by) if att.uploaded_by_id else None,
        "url": f"/api/v1/orders/{att.order.number}/attachments/{att.pk}",
    }


def order_detail(user, order: WorkOrder, *, reveal: bool = False,
                 ip: str | None = None) -> dict:
    """Everything about one order that ``user`` may see. ``reveal`` asks for the unmasked
    citizen (refused with 403 ``pii_forbidden`` when not allowed; audited when allowed)."""
    return {
        **_base(order),
        "is_open": order.is_open,
        "content": order.content,
        "lat": order.lat,
        "lng": order.lng,
        "grid": unit_ref(order.grid),
        "dispatch_unit": unit_ref(order.dispatch_unit),
        "updated_at": local(order.updated_at),
        "deadlines": {
            "dispatched_at": local(order.dispatched_at),
            "due_at": local(order.due_at),
            "yellow_at": local(order.yellow_at),
            "external_due_at": local(order.external_due_at),
            "paused": order.paused_at is not None,
            "paused_at": local(order.paused_at),
            "replied_at": local(order.replied_at),
            "closed_at": local(order.closed_at),
        },
        "flags": {
            "is_yellow": order.is_yellow,
            "is_overdue": order.is_overdue,
            "is_supervised": order.is_supervised,
            "is_escalated": order.is_escalated,
            "reopen_count": order.reopen_count,
            "urge_count": order.urge_count,
            "unreasonable": order.unreasonable,
            "unreasonable_label": ReviewStatus.label_of(order.unreasonable),
            "unreasonable_reason": order.unreasonable_reason,
            "extension_status": order.extension_status,
            "extension_status_label": ReviewStatus.label_of(order.extension_status),
        },
        "reply": {
            "text": order.reply_text,
            "solved": order.reply_solved,
            "handler": order.reply_handler,
            "phone": order.reply_handler_phone,
            "unit": unit_ref(order.reply_unit),
            "replied_at": local(order.replied_at),
        },
        "callback": {
            "resolved": order.resolved,
            "resolved_label": ResolvedChoices.label_of(order.resolved) if order.resolved else "",
            "satisfaction": order.satisfaction,
            "satisfaction_label": (Satisfaction.label_of(order.satisfaction)
                                   if order.satisfaction else ""),
            "first_satisfaction": order.first_satisfaction,
            "first_satisfaction_label": (Satisfaction.label_of(order.first_satisfaction)
                                         if order.first_satisfaction else ""),
        },
        "close_reason": order.close_reason,
        "close_reason_label": (CloseReason.label_of(order.close_reason)
                               if order.close_reason else ""),
        "parent": order.parent.number if order.parent_id else None,
        "children": list(order.children.order_by("pk").values_list("number", flat=True)),
        "master": order.master.number if order.master_id else None,
        "merged": list(order.merged_orders.order_by("pk").values_list("number", flat=True)),
        "external_refs": list(order.external_refs.order_by("pk")
                              .values("channel", "external_id")),
        "attachments": [attachment_out(a) for a in
                        order.attachments.select_related("uploaded_by").order_by("pk")],
        "assignments": _assignments(order),
        "timeline": _timeline(order),
        "citizen": citizen(user, order, reveal=reveal, ip=ip),
    }
