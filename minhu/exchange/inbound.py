"""Orders pushed down by the province: read the push, keep it raw, register it once.

    raw = receive(...)                 # committed before anything can go wrong
    push = parse_push(body)            # edge checks, stable codes (MinhuError)
    order, created = accept(raw, push) # ProvinceOrder + register_from as svc-province

The same province number pushed again finds the same order (``ExternalRef`` on channel
province). The city's units work to a shorter deadline than the province's: the
remaining time at arrival times ``MINHU_PROVINCE_DEADLINE_RATIO`` (0.5 by default),
handed to the order as ``Intake.external_due_at`` so ``start_clock`` caps the
handling deadline with it; the province's own deadline stays on ``ProvinceOrder``.
"""

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from minhu.accounts.roles import Role
from minhu.core import clock
from minhu.core.errors import MinhuError, ValidationFailed
from minhu.intake.actions import receive, register_from, register_parser, reject, service_account
from minhu.orders.actions import Intake
from minhu.orders.actions.intake import MAX_CONTENT
from minhu.orders.models import WorkOrder
from minhu.orders.states import Channel

from . import conf
from .codes import map_codes
from .models import CodeKind, ProvinceOrder

NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
MAX_AHEAD = timedelta(days=366)
CODE_FIELDS = {"type_code": CodeKind.REQUEST_TYPE, "category_code": CodeKind.CATEGORY,
               "urgency_code": CodeKind.URGENCY}


class BadPush(MinhuError):
    """The body cannot be read at all (encoding, JSON)."""

    status = 400
    code = "bad_json"


class TooLarge(MinhuError):
    status = 413
    code = "payload_too_large"


@dataclass
class Push:
    province_no: str
    deadline: datetime
    data: dict


# --- Reading the push -----------------------------------------------------------------


def peek_number(body: bytes) -> str:
    """The province number, if one can be read, to label the raw row before checking."""
    try:
        data = json.loads(body.decode("utf-8"))
        value = data.get("province_no") if isinstance(data, dict) else None
        return value[:100] if isinstance(value, str) else ""
    except (UnicodeDecodeError, ValueError, RecursionError):
        return ""


def read_json(body: bytes) -> dict:
    if len(body) > conf.max_body_bytes():
        raise TooLarge(f"推送内容过大（最多 {conf.max_body_bytes() // 1024} KB）")
    if not body.strip():
        raise ValidationFailed("推送内容为空，请提交 JSON 对象", code="empty_body")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadPush("推送内容不是 UTF-8 编码（如 GBK），请以 UTF-8 发送 JSON",
                      code="bad_encoding") from None
    try:
        data = json.loads(text.removeprefix("\ufeff"), parse_constant=_no_constant)
    except (ValueError, RecursionError):
        raise BadPush("推送内容不是有效的 JSON") from None
    if not isinstance(data, dict):
        raise ValidationFailed("推送内容必须是 JSON 对象（{...}）", code="validation_failed")
    return data


def _no_constant(name):
    raise ValueError(name)


def _text(data: dict, name: str, what: str, *, max_len: int, required: bool = False) -> str:
    value = data.get(name)
    if value is None or value == "":
        if required:
            raise ValidationFailed(f"缺少{what}（{name}）", code=f"missing_{name}", field=name)
        return ""
    if not isinstance(value, str):
        raise ValidationFailed(f"{what}（{name}）必须是字符串", code="validation_failed",
                               field=name)
    if "\x00" in value or any(0xD800 <= ord(c) <= 0xDFFF for c in value):
        raise ValidationFailed(f"{what}（{name}）含有不允许的字符", code="bad_characters",
                               field=name)
    value = value.strip()
    if required and not value:
        raise ValidationFailed(f"{what}（{name}）不能为空", code=f"missing_{name}", field=name)
    if len(value) > max_len:
        raise ValidationFailed(f"{what}（{name}）过长（最多 {max_len} 字）", code="too_long",
                               field=name)
    return value


def _number(data: dict, name: str, lo: float, hi: float) -> float | None:
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not lo <= value <= hi:
        raise ValidationFailed(f"坐标 {name} 无效", code="bad_coordinates", field=name)
    return float(value)


def parse_deadline(value, *, now: datetime, is_new: bool) -> datetime:
    if value in (None, ""):
        raise ValidationFailed("缺少省级办理期限（deadline）", code="missing_deadline",
                               field="deadline")
    try:
        when = datetime.fromisoformat(value) if isinstance(value, str) and len(value) < 40 \
            else None
    except ValueError:
        when = None
    if when is None:
        raise ValidationFailed("省级办理期限（deadline）须为 ISO 8601 时间，如 "
                               "2026-11-28T18:00:00+08:00", code="bad_deadline",
                               field="deadline")
    if timezone.is_naive(when):  # the province is in the same time zone as the city
        when = when.replace(tzinfo=ZoneInfo(settings.TIME_ZONE))
    if is_new and when <= now:
        raise ValidationFailed("省级办理期限已过，无法转办，请与省级平台核实",
                               code="deadline_passed", field="deadline")
    if when > now + MAX_AHEAD:
        raise ValidationFailed("省级办理期限超出一年，请核实", code="bad_deadline",
                               field="deadline")
    return when


def parse_push(data: dict, *, is_new: bool = True) -> Push:
    """Edge checks of a push that is valid JSON; raises ``ValidationFailed``."""
    number = _text(data, "province_no", "省级工单编号", max_len=40, required=True)
    if not NUMBER.match(number):
        raise ValidationFailed("省级工单编号只能包含字母、数字、点、横线和下划线（最多 40 位）",
                               code="bad_province_no", field="province_no")
    deadline = parse_deadline(data.get("deadline"), now=clock.now(), is_new=is_new)
    _text(data, "content", "诉求内容", max_len=MAX_CONTENT, required=True)
    _text(data, "title", "标题", max_len=120)
    _text(data, "address", "地址", max_len=200)
    for name in CODE_FIELDS:
        _text(data, name, "省级编码", max_len=40)
    citizen = data.get("citizen") or {}
    if not isinstance(citizen, dict):
        raise ValidationFailed("诉求人信息（citizen）必须是 JSON 对象", code="validation_failed",
                               field="citizen")
    _text(citizen, "name", "诉求人姓名", max_len=64)
    _text(citizen, "phone", "联系电话", max_len=20)
    _number(data, "lat", -90, 90)
    _number(data, "lng", -180, 180)
    return Push(province_no=number, deadline=deadline, data=data)


# --- Registering ------------------------------------------------------------------------


def service_actor():
    return service_account(conf.SERVICE_USERNAME, conf.SERVICE_NAME, roles=(Role.AGENT,))


def internal_deadline(province_due: datetime, now: datetime) -> datetime:
    remaining = province_due - now
    ratio = conf.deadline_ratio()
    return now + timedelta(seconds=int(remaining.total_seconds() * float(ratio)))


def to_intake(push: Push, po: ProvinceOrder, codes: dict) -> Intake:
    data = push.data
    citizen = data.get("citizen") or {}
    return Intake(
        content=data["content"], title=data.get("title") or "",
        channel=Channel.PROVINCE, external_id=push.province_no,
        request_type=codes[CodeKind.REQUEST_TYPE], urgency=codes[CodeKind.URGENCY],
        category=codes[CodeKind.CATEGORY],
        citizen_name=citizen.get("name") or "", citizen_phone=citizen.get("phone") or "",
        is_anonymous=citizen.get("anonymous") is True,
        is_confidential=True if citizen.get("confidential") is True else None,
        address=data.get("address") or "", lat=_number(data, "lat", -90, 90),
        lng=_number(data, "lng", -180, 180), external_due_at=po.internal_due_at,
    )


def _province_codes(data: dict) -> dict:
    return {kind: (data.get(name) or "").strip() for name, kind in CODE_FIELDS.items()}


def record_push(push: Push, raw, mapped, *, renew: bool = True) -> ProvinceOrder:
    """The province order row, written (and committed) before registration. A push of a
    number we already hold keeps the first deadline, unless no order came of it yet and
    the province sent it again (``renew``)."""
    existing = ProvinceOrder.objects.filter(province_no=push.province_no).first()
    if existing is not None and (existing.order_id or not renew):
        return existing
    now = clock.now()
    fields = dict(raw=raw, received_at=now, province_due_at=push.deadline,
                  internal_due_at=internal_deadline(push.deadline, now),
                  deadline_ratio=conf.deadline_ratio(),
                  province_codes=_province_codes(push.data), unmapped=mapped.unmapped,
                  needs_review=bool(mapped.unmapped))
    if existing is not None:
        ProvinceOrder.objects.filter(pk=existing.pk).update(**fields)
        existing.refresh_from_db()
        return existing
    try:
        with transaction.atomic():
            return ProvinceOrder.objects.create(province_no=push.province_no, **fields)
    except IntegrityError:  # the same number pushed twice at once: the first one wins
        return ProvinceOrder.objects.get(province_no=push.province_no)


def accept(raw, push: Push) -> tuple[WorkOrder, bool, ProvinceOrder]:
    mapped = map_codes(_province_codes(push.data))
    po = record_push(push, raw, mapped)
    order, created = register_from(raw, service_actor(), to_intake(push, po, mapped.codes))
    link(po.province_no, order)
    po.refresh_from_db()
    return order, created, po


def link(province_no: str, order: WorkOrder) -> None:
    ProvinceOrder.objects.filter(province_no=province_no, order__isnull=True).update(
        order=order)


def handle_push(body: bytes, *, content_type: str = "", remote_addr: str | None = None,
                meta: dict | None = None) -> tuple[WorkOrder, bool, ProvinceOrder]:
    """The whole inbound path: store raw, check, register. Raises ``MinhuError`` with the
    code the province gets back; the raw row says what happened either way."""
    raw = receive(Channel.PROVINCE, body=body, source="province",
                  external_id=peek_number(body), content_type=content_type,
                  meta=meta, remote_addr=remote_addr)
    try:
        data = read_json(body)
        number = data.get("province_no")
        known = isinstance(number, str) and ProvinceOrder.objects.filter(
            province_no=number.strip(), order__isnull=False).exists()
        push = parse_push(data, is_new=not known)
    except MinhuError as exc:
        reject(raw, exc.code, exc.message)
        raise
    return accept(raw, push)


def parse_raw(raw):
    """Parser for ``retry_failed``: the stored push, read again as it came."""
    data = read_json(raw.body.encode("utf-8"))
    push = parse_push(data, is_new=False)
    mapped = map_codes(_province_codes(data))
    po = record_push(push, raw, mapped, renew=False)
    return service_actor(), to_intake(push, po, mapped.codes), {}


register_parser(Channel.PROVINCE, parse_raw)
