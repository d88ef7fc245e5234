"""Intake: register, answer on the spot, withdraw, citizen reopen."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction

from minhu.catalog.models import Category, PlatformSettings, RequestType, UrgencyTier
from minhu.org.jurisdiction import chain_of, chain_of_place
from minhu.org.kinds import UnitKind
from minhu.org.models import Place, Unit

from ..models import ExternalRef, IdempotencyKey, WorkOrder
from ..states import AssignmentRole, AssignmentState, Channel, CloseReason, State
from ._base import (
    NotFound,
    ValidationFailed,
    begin,
    centre_unit,
    check,
    clock,
    next_number,
    notify_unit,
    record,
    require_text,
    save,
    start_clock,
)
from .closing import close_children, propagate_to_merged
from .dispatch import create_assignment

MAX_CONTENT = 5000


@dataclass
class Intake:
    """What any channel hands over. Validated here, at the edge of the domain."""

    content: str
    request_type: str = "consult"
    channel: str = Channel.PHONE
    urgency: str = "normal"
    category: str | None = None
    title: str = ""
    citizen_name: str = ""
    citizen_phone: str = ""
    is_anonymous: bool = False
    is_confidential: bool | None = None
    is_enterprise: bool = False
    enterprise_name: str = ""
    address: str = ""
    lat: float | None = None
    lng: float | None = None
    place_id: int | None = None
    community: str | None = None  # unit code, when the channel knows the community
    external_id: str | None = None
    external_due_at: datetime | None = None
    extra: dict = field(default_factory=dict)


def _lookup(model, code, what, *, required=True):
    if code in (None, ""):
        if required:
            raise ValidationFailed(f"请选择{what}", code="missing_" + model._meta.model_name)
        return None
    obj = model.objects.filter(code=str(code)[:40]).first()
    if obj is None:
        raise ValidationFailed(f"{what}“{str(code)[:40]}”不存在", code="unknown_" +
                               model._meta.model_name)
    return obj


def _validate(data: Intake) -> dict:
    content = require_text(data.content, "诉求内容", max_len=MAX_CONTENT)
    if data.channel not in Channel.values or data.channel == Channel.SUB_DISPATCH:
        raise ValidationFailed(f"未知的来源渠道“{str(data.channel)[:20]}”", code="unknown_channel")
    rtype = _lookup(RequestType, data.request_type, "诉求类型")
    urgency = _lookup(UrgencyTier, data.urgency or "normal", "紧急程度")
    category = _lookup(Category, data.category, "诉求分类", required=False)
    phone = (data.citizen_phone or "").strip()
    if phone and (len(phone) > 20 or not phone.replace("-", "").replace("+", "").isdigit()):
        raise ValidationFailed("联系电话格式不正确", code="bad_phone")
    for value, lo, hi, what in ((data.lat, -90, 90, "纬度"), (data.lng, -180, 180, "经度")):
        if value is not None and not (lo <= value <= hi):
            raise ValidationFailed(f"{what}超出范围", code="bad_coordinates")
    place = None
    if data.place_id is not None:
        place = Place.objects.select_related("community", "grid").filter(pk=data.place_id).first()
        if place is None:
            raise ValidationFailed("地点不存在", code="unknown_place")
    chain = chain_of_place(place) if place else chain_of(None)
    if data.community and not place:
        unit = Unit.objects.filter(code=str(data.community)[:40]).first()
        if unit is None or unit.kind not in (UnitKind.COMMUNITY, UnitKind.GRID,
                                             UnitKind.STREET, UnitKind.DISTRICT):
            raise ValidationFailed("所属辖区不存在", code="unknown_area")
        chain = chain_of(unit)
    ext = (data.external_id or "").strip()
    if len(ext) > 100:
        raise ValidationFailed("外部编号过长（最多 100 字符）", code="too_long")
    confidential = (
        rtype.confidential_by_default if data.is_confidential is None else data.is_confidential
    )
    return dict(
        content=content, title=(data.title or "").strip()[:120], request_type=rtype,
        urgency=urgency, category=category, channel=data.channel,
        citizen_name=(data.citizen_name or "").strip()[:64], citizen_phone=phone,
        is_anonymous=bool(data.is_anonymous), is_confidential=bool(confidential),
        is_enterprise=bool(data.is_enterprise),
        enterprise_name=(data.enterprise_name or "").strip()[:100],
        address=(data.address or "").strip()[:200] or (place.address if place else ""),
        lat=data.lat if data.lat is not None else (place.lat if place else None),
        lng=data.lng if data.lng is not None else (place.lng if place else None),
        place=place, external_due_at=data.external_due_at,
        district=chain["district"], street=chain["street"], community=chain["community"],
        grid=chain["grid"], external_id=ext,
    )


def _existing(channel: str, external_id: str, actor, idem_key: str | None,
              fingerprint: str = ""):
    if external_id:
        ref = ExternalRef.objects.select_related("order").filter(
            channel=channel, external_id=external_id).first()
        if ref:
            return ref.order
    if idem_key and getattr(actor, "pk", None):
        hit = IdempotencyKey.objects.select_related("order").filter(
            user=actor, key=idem_key).first()
        if hit:
            if fingerprint and hit.fingerprint and hit.fingerprint != fingerprint:
                raise ValidationFailed("该幂等键已用于内容不同的另一请求，请换用新的幂等键",
                                       code="idempotency_key_reused")
            return hit.order
    return None


def do_register(actor, data: Intake, *, idempotency_key: str | None = None,
                fingerprint: str = "", answer: str | None = None) -> tuple[WorkOrder, bool]:
    """Register a request; returns (order, created). The same channel + external id or the
    same Idempotency-Key from the same account returns the first order instead."""
    check(None, "register", actor)
    fields = _validate(data)
    key = (idempotency_key or "").strip()[:100] or None
    found = _existing(fields["channel"], fields["external_id"], actor, key, fingerprint)
    if found is not None:
        return found, False
    try:
        with transaction.atomic():
            order = _create(actor, dict(fields), key, fingerprint)  # keeps external_id
            if answer:
                do_answer_directly(order, actor, answer)
                order.refresh_from_db()
    except IntegrityError:
        # A concurrent request with the same key won the race: answer with its order.
        found = _existing(fields["channel"], fields["external_id"], actor, key)
        if found is None:
            raise
        return found, False
    return order, True


def _create(actor, fields: dict, key: str | None, fingerprint: str) -> WorkOrder:
    external_id = fields.pop("external_id")
    now = clock.now()
    unit = getattr(actor, "unit", None)
    dispatch_unit = unit if unit is not None and unit.kind == UnitKind.SUB_CENTRE \
        else centre_unit()
    order = WorkOrder(
        number=next_number(settings.MINHU_ORDER_NUMBER_PREFIX), state=State.REGISTERED,
        registered_by=actor if getattr(actor, "pk", None) else None,
        dispatch_unit=dispatch_unit, created_at=now, updated_at=now, **fields,
    )
    order._from_state = ""
    order.save()
    if external_id:
        ExternalRef.objects.create(order=order, channel=order.channel, external_id=external_id)
    if key:
        IdempotencyKey.objects.create(key=key, user=actor, order=order,
                                      fingerprint=fingerprint)
    record(order, "register", actor, data={"channel": order.channel})
    save(order)
    return order


@transaction.atomic
def do_answer_directly(order: WorkOrder, actor, answer: str) -> WorkOrder:
    order = begin(order, "answer_directly", actor)
    if not order.request_type.can_answer_directly:
        raise ValidationFailed(
            f"“{order.request_type.name}”类诉求不能直接答复，请派单办理", code="not_answerable")
    text = require_text(answer, "答复内容")
    now = clock.now()
    order.reply_text = text
    order.reply_solved = True
    order.reply_handler = str(actor)[:64]
    order.reply_unit = actor.unit
    order.replied_at = order.closed_at = now
    order.close_reason = CloseReason.DIRECT
    order.state = State.CLOSED
    record(order, "answer_directly", actor, note=text)
    save(order)
    # Callers merged into this order are told its answer too, as on any other closing.
    propagate_to_merged(order, actor)
    return order


@transaction.atomic
def do_withdraw(order: WorkOrder, actor, reason: str) -> WorkOrder:
    order = begin(order, "withdraw", actor)
    reason = require_text(reason, "撤单原因")
    if order.merged_orders.exists():
        raise ValidationFailed("该工单已有并入的工单，不能撤单，请先处理并单", code="has_merged")
    for a in order.assignments.filter(state__in=[AssignmentState.PENDING_SIGN,
                                                 AssignmentState.HANDLING,
                                                 AssignmentState.RETURNED]):
        a.state = AssignmentState.CANCELLED
        a.save(update_fields=["state"])
        notify_unit(a.unit_id, "withdrawn", f"工单 {order.number} 已由诉求人撤回", order)
    order.returns.filter(status="pending").update(status="rejected", review_note="工单已撤回")
    order.extensions.filter(status="pending").update(status="rejected", review_note="工单已撤回")
    close_children(order, actor, "上级工单已撤回")
    order.state = State.WITHDRAWN
    order.closed_at = clock.now()
    order.paused_at = None
    record(order, "withdraw", actor, note=reason)
    save(order)
    return order


@transaction.atomic
def do_citizen_reopen(order: WorkOrder, actor, reason: str) -> WorkOrder:
    """The citizen asks again within the window: back to the same lead unit."""
    order = begin(order, "citizen_reopen", actor)
    reason = require_text(reason, "重办理由")
    if order.is_sub_order:
        raise NotFound()
    window = timedelta(days=PlatformSettings.current().citizen_reopen_days)
    if order.closed_at is None or clock.now() > order.closed_at + window:
        raise ValidationFailed(
            f"已超过办结后 {window.days} 天的重办申请期限，请重新登记诉求", code="reopen_window")
    order.reopen_count += 1
    order.satisfaction = order.resolved = ""
    order.closed_at = None
    order.close_reason = ""
    if order.lead_unit_id:
        create_assignment(order, order.lead_unit, AssignmentRole.LEAD, actor)
        order.state = State.DISPATCHED
        order.dispatched_at = clock.now()
        start_clock(order, amount=PlatformSettings.current().reopen_limit_days, unit="days")
        notify_unit(order.lead_unit_id, "reopened", f"工单 {order.number} 市民申请重办", order)
    else:
        order.state = State.REGISTERED
        order.due_at = order.yellow_at = None
    record(order, "citizen_reopen", actor, note=reason, target_unit=order.lead_unit)
    save(order)
    return order
