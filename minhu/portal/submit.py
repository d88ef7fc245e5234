"""A citizen's submission, from a checked form to a registered order with its photos.

Order of events, so that nothing a citizen sends is lost:

1. the form is checked at the edge (views + ``clean``), photos decoded and re-encoded;
2. ``receive`` stores the raw submission with its re-encoded photos and commits;
3. ``register_raw`` reads the order back from the raw row (``parse_raw``) and registers it
   as the portal's service account (channel WEB, or QR when the form came from a
   building's code) with the form token's nonce as the external id, so a double submit
   returns the first order; the kept photos are attached to it;
4. ``follow_up``: the QR routing hands the order to the building's community, and the
   registration SMS is queued (sent after commit, once per order).

A submission whose registration failed is retried from its raw row through the same
``parse_raw`` and ``follow_up`` (``intake.retry_failed``): it arrives with its photos,
its routing and its SMS, like a first-time one.
"""

import hashlib
import json
import logging
import re
from dataclasses import dataclass, field

from minhu.accounts.roles import Role
from minhu.catalog.models import RequestType
from minhu.core.errors import MinhuError, ValidationFailed
from minhu.intake.actions import receive, register_raw, service_account
from minhu.notices.links import public_url
from minhu.orders.actions import Intake
from minhu.orders.states import Channel
from minhu.org.models import Place

from .photos import Photo

log = logging.getLogger(__name__)

MIN_CONTENT, MAX_CONTENT = 5, 2000
MAX_NAME, MAX_ADDRESS = 30, 120
MOBILE = re.compile(r"^1[3-9]\d{9}$")
PORTAL_USER = "svc-portal"
# Types a citizen may choose on the portal; the centre may retype the order later.
CITIZEN_TYPES = ("help", "complaint", "report", "suggestion", "consult", "praise")


def portal_account():
    return service_account(PORTAL_USER, "市民门户", roles=(Role.AGENT,))


def unreadable(value: str) -> bool:
    """Bytes sent in another encoding (GBK …) arrive as U+FFFD; NUL cannot be stored."""
    if "\x00" in value or "\ufffd" in value:
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def normal_phone(value: str) -> str:
    phone = re.sub(r"[\s-]", "", value or "")
    if phone.startswith("+86"):
        phone = phone[3:]
    return phone


@dataclass
class Submission:
    content: str
    phone: str
    request_type: str = "help"
    name: str = ""
    address: str = ""
    place: Place | None = None
    lat: float | None = None
    lng: float | None = None
    qr_code: str = ""  # the building code the form came from (channel QR)
    photos: list[Photo] = field(default_factory=list)

    @property
    def channel(self) -> str:
        return Channel.QR if self.qr_code else Channel.WEB


def clean(values: dict, place: Place | None) -> dict:
    """Check the typed fields; returns {field: message} for every problem found."""
    errors = {}
    for name, value in values.items():
        if isinstance(value, str) and unreadable(value):
            errors[name] = "含有无法识别的字符，请检查输入法或编码后重新填写"
    content = values.get("content", "").strip()
    if "content" not in errors:
        if not content:
            errors["content"] = "请填写您要反映的问题"
        elif len(content) < MIN_CONTENT:
            errors["content"] = f"请把问题说得具体一些（至少 {MIN_CONTENT} 个字）"
        elif len(content) > MAX_CONTENT:
            errors["content"] = f"内容过长（{len(content)} 字，最多 {MAX_CONTENT} 字）"
    phone = normal_phone(values.get("phone", ""))
    if "phone" not in errors and not MOBILE.match(phone):
        errors["phone"] = "请填写 11 位手机号码，用于接收工单编号和查询进度"
    if len(values.get("name", "").strip()) > MAX_NAME:
        errors["name"] = f"姓名过长（最多 {MAX_NAME} 字）"
    address = values.get("address", "").strip()
    if len(address) > MAX_ADDRESS:
        errors["address"] = f"地址过长（最多 {MAX_ADDRESS} 字）"
    if place is None and not address and "address" not in errors:
        errors["place"] = "请搜索选择地点、在地图上标注位置，或填写详细地址"
    if (values.get("request_type") or "help") not in CITIZEN_TYPES:
        errors["request_type"] = "请选择诉求类型"
    return errors


def _raw_body(sub: Submission, nonce: str) -> str:
    return json.dumps({
        "content": sub.content, "name": sub.name, "phone": sub.phone,
        "request_type": sub.request_type, "address": sub.address,
        "place_id": sub.place.pk if sub.place else None, "lat": sub.lat, "lng": sub.lng,
        "qr": sub.qr_code, "form": nonce,
        "photos": [{"name": p.name, "bytes": p.original_bytes, "stored_bytes": len(p.data),
                    "sha256": hashlib.sha256(p.data).hexdigest()} for p in sub.photos],
    }, ensure_ascii=False)


def register(sub: Submission, nonce: str, *, remote_addr: str | None = None):
    """Store (with the photos), register, attach, route and tell the citizen.
    Returns (order, created)."""
    raw = receive(sub.channel, body=_raw_body(sub, nonce), source="qr:" + sub.qr_code
                  if sub.qr_code else "portal", external_id=f"portal:{nonce}",
                  content_type="application/json", remote_addr=remote_addr or None,
                  files=[photo.as_upload() for photo in sub.photos])
    return register_raw(raw)


def parse_raw(raw):
    """The order a stored submission registers: the first attempt and every retry."""
    data = json.loads(raw.body)
    place = Place.objects.filter(pk=data.get("place_id")).first() if data.get("place_id") \
        else None
    request_type = data.get("request_type") or "help"
    if not RequestType.objects.filter(code=request_type).exists():
        request_type = "help" if RequestType.objects.filter(code="help").exists() \
            else "complaint"
    # The place's name leads, the citizen's detail follows ("锦绣家园3号楼 东侧路口").
    address = " ".join(x for x in (str(place) if place else "", data.get("address", "")) if x)
    intake = Intake(
        content=data["content"], request_type=request_type,
        channel=raw.channel, citizen_name=data.get("name", ""), citizen_phone=data["phone"],
        address=address[:200], place_id=place.pk if place else None, lat=data.get("lat"),
        lng=data.get("lng"), external_id=raw.external_id,
        extra={"qr": data["qr"]} if data.get("qr") else {},
    )
    return portal_account(), intake, {}


def follow_up(raw, order, actor) -> None:
    """After a new order: a building's code sends it to the community first (民呼社应),
    and the citizen gets the number by SMS."""
    if json.loads(raw.body).get("qr"):
        from minhu.qrcodes.routing import route_first_to_community

        try:
            route_first_to_community(order)
        except MinhuError as exc:
            # The order is registered and stays in the dispatch pool: the centre routes it.
            log.warning("QR routing of %s failed: %s", order.number, exc.message)
    tell_registered(order)


def track_url(number: str) -> str:
    return public_url(f"/m/track/?n={number}")


def tell_registered(order) -> None:
    from minhu.notices.outgoing import send_sms

    try:
        send_sms(order.citizen_phone, "order_registered",
                 {"number": order.number, "track_url": track_url(order.number)},
                 key=f"registered:{order.pk}", order=order)
    except (ValidationFailed, ValueError) as exc:
        # The citizen still sees the number on the page; the failure is for the operators.
        log.warning("registration SMS for %s not queued: %s", order.number, exc)
