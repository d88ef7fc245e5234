"""Updates to the province: which timeline events of a province order go up, and what
they say in the province's vocabulary. The outbox writes them with the change and sends
them in ``seq`` order, retrying through outages.

An event goes up when it changes the order's state, or carries a result the province
tracks even without a state change: who handles the order now (dispatch, reassign,
escalate), a return or extension decision, a reply, a callback. Internal events (urging,
flags, attachments, co-handlers' replies, sub-orders) stay in the city.
"""

from django.utils import timezone

from minhu.orders.models import ExternalRef, WorkOrder
from minhu.orders.states import Channel

from . import conf
from .codes import status_of
from .models import ProvinceOrder

# Events sent even when the state stays the same, and the province's name for each event.
RESULT_EVENTS = {
    "dispatch": "派发", "reassign": "改派", "escalate": "提级办理",
    "review_return": "退回审核结果", "review_extension": "延期审核结果",
    "reply": "答复", "callback": "回访", "review_dissatisfaction": "不满意复核结果",
    "master_closed": "主单办结",
}
EVENT_NAMES = {
    "register": "受理", "forward": "转分中心", "sign": "签收", "return": "申请退回",
    "report_up": "上报", "answer_directly": "直接答复办结", "withdraw": "撤销",
    "merge": "合并", "citizen_reopen": "市民申请重办", "citizen_rate": "市民评价",
    **RESULT_EVENTS,
}


def goes_up(event) -> bool:
    return event.from_state != event.to_state or event.action in RESULT_EVENTS


def _iso(value):
    return timezone.localtime(value).isoformat() if value else None


def province_number(order: WorkOrder) -> str | None:
    if order.channel != Channel.PROVINCE or order.parent_id:
        return None
    return (ExternalRef.objects.filter(order_id=order.pk, channel=Channel.PROVINCE)
            .values_list("external_id", flat=True).first())


def endpoint():
    from minhu.outbox.models import Endpoint, EndpointKind

    # A paused endpoint still collects updates: the outbox sends them once it is resumed.
    return Endpoint.objects.filter(code=conf.ENDPOINT_CODE,
                                   kind=EndpointKind.PROVINCE).first()


def payload(order: WorkOrder, event, province_no: str, po: ProvinceOrder | None) -> dict:
    status, status_name = status_of(order.state)
    unit = order.lead_unit
    body = {
        "province_no": province_no,
        "city_no": order.number,
        "seq": event.seq,
        "event": event.action,
        "event_name": EVENT_NAMES.get(event.action, event.action),
        "status": status,
        "status_name": status_name,
        "occurred_at": _iso(event.at),
        "handling_unit": {"code": unit.code, "name": unit.name} if unit else None,
        "note": event.note[:2000],
        "province_due_at": _iso(po.province_due_at if po else None),
        "city_due_at": _iso(order.due_at or order.external_due_at),
    }
    if event.action in ("reply", "answer_directly", "master_closed") or \
            (event.to_state == "closed" and order.reply_text):
        body["reply"] = {
            "text": order.reply_text, "solved": order.reply_solved,
            "unit": order.reply_unit.name if order.reply_unit_id else None,
            "handler": order.reply_handler, "replied_at": _iso(order.replied_at),
        }
    if event.action in ("review_return", "review_extension", "review_dissatisfaction"):
        body["result"] = {key: event.data[key] for key in
                          ("approve", "reopen", "kind", "old_due_at", "new_due_at")
                          if key in event.data}
    if event.action in ("callback", "citizen_rate"):
        body["callback"] = {"resolved": order.resolved, "satisfaction": order.satisfaction}
    if order.closed_at:
        body["closed_at"] = _iso(order.closed_at)
    return body


def follow_province(order: WorkOrder, event):
    """The outbox follower: ``(endpoint, payload)`` for events of province orders."""
    number = province_number(order)
    if number is None:
        return ()
    po = ProvinceOrder.objects.filter(province_no=number).first()
    if po is not None and po.order_id is None:
        # Registered just now (or by a retry): the province row learns its order here,
        # in the registering transaction.
        ProvinceOrder.objects.filter(pk=po.pk).update(order=order)
    if not goes_up(event):
        return ()
    target = endpoint()
    if target is None:
        return ()
    return [(target, payload(order, event, number, po))]


def configure(url: str, secret: str, *, name: str = "省级12345平台", active: bool = True):
    """Create or update the province endpoint (the outbox sends the updates to it)."""
    from django.core.exceptions import ValidationError as DjangoValidationError
    from django.core.validators import URLValidator

    from minhu.core.errors import ValidationFailed
    from minhu.outbox.models import Endpoint, EndpointKind

    url = (url or "").strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except DjangoValidationError:
        raise ValidationFailed("推送地址须为 http(s) 网址", code="bad_url") from None
    if len(secret or "") < 16:
        raise ValidationFailed("签名密钥至少 16 个字符", code="weak_secret")
    target, _ = Endpoint.objects.update_or_create(
        code=conf.ENDPOINT_CODE,
        defaults=dict(name=name, kind=EndpointKind.PROVINCE, url=url, secret=secret,
                      is_active=active))
    return target
