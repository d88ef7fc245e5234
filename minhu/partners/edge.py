"""Reading a partner's request body ourselves: the raw bytes are stored first (the view
calls ``receive``), then decoded and validated here; every refusal is an ``EdgeError``
with a stable code and a Chinese message, which the view records on the raw row."""

import hashlib
import json
import math
import re

from ninja import Field, Schema
from pydantic import ValidationError

from minhu.orders.actions import Intake

THEIR_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,63}$")
THEIR_ID_RULE = "1–64 位字母、数字或 . _ : -，以字母或数字开头"


class EdgeError(Exception):
    def __init__(self, status: int, code: str, message: str, details: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.details = details or {}


class PartnerRequestIn(Schema):
    """What a partner sends. The channel is the partner's own; it is not chosen here."""

    partner_id: str | None = Field(
        None, max_length=64, description="合作方自己的编号（也可放在请求头 X-Partner-Request-Id）")
    content: str = Field(..., min_length=1, max_length=5000, description="诉求内容")
    title: str = Field("", max_length=120)
    request_type: str = Field("consult", max_length=20, description="诉求类型编码")
    urgency: str = Field("normal", max_length=20)
    category: str | None = Field(None, max_length=20)
    citizen_name: str = Field("", max_length=64)
    citizen_phone: str = Field("", max_length=20)
    is_anonymous: bool = False
    is_confidential: bool | None = None
    is_enterprise: bool = False
    enterprise_name: str = Field("", max_length=100)
    address: str = Field("", max_length=200)
    lat: float | None = Field(None, ge=-90, le=90)
    lng: float | None = Field(None, ge=-180, le=180)
    community: str | None = Field(None, max_length=40, description="所属社区/网格/街道编码")

    def intake(self, channel: str, external_id: str) -> Intake:
        return Intake(channel=channel, external_id=external_id,
                      **self.model_dump(exclude={"partner_id"}))

    def fingerprint(self) -> str:
        """Hash of the content (not of the bytes: key order and spacing do not matter)."""
        text = json.dumps(self.model_dump(mode="json", exclude={"partner_id"}),
                          sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _reject_constant(name):
    raise ValueError(name)


def _finite(text):
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def _has_bad_text(value) -> bool:
    """NUL cannot be stored by PostgreSQL; lone surrogates cannot be encoded."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def too_large(max_bytes: int) -> EdgeError:
    return EdgeError(413, "payload_too_large",
                     f"请求体过大（最多 {max_bytes // 1024} KB），请精简内容或分开提交")


def parse(body: bytes, max_bytes: int) -> dict:
    if not body or not body.strip():
        raise EdgeError(400, "empty_body", "请求体为空，请以 JSON 对象提交诉求")
    if len(body) > max_bytes:
        raise too_large(max_bytes)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise EdgeError(400, "bad_encoding",
                        "请求体不是有效的 UTF-8 编码（如 GBK），请以 UTF-8 发送 JSON") from None
    text = text.removeprefix("\ufeff")
    try:
        data = json.loads(text, parse_constant=_reject_constant, parse_float=_finite)
    except (ValueError, RecursionError):
        raise EdgeError(400, "bad_json", "请求体不是有效的 JSON") from None
    if not isinstance(data, dict):
        raise EdgeError(422, "not_an_object", "请求体必须是 JSON 对象（{...}），不能是数组或单个值")
    if _has_bad_text(data):
        raise EdgeError(422, "bad_characters",
                        "请求体含有不允许的字符（空字符或无效的 Unicode 代理项）")
    return data


def validate(data: dict) -> PartnerRequestIn:
    from minhu.api import describe_validation_errors

    try:
        return PartnerRequestIn.model_validate(data)
    except ValidationError as exc:
        errors = [dict(e, loc=("body", "payload", *e["loc"])) for e in exc.errors()]
        message, raw = describe_validation_errors(errors)
        raise EdgeError(422, "validation_failed", message, {"errors": raw}) from None


def their_id_of(header: str | None, field: str | None) -> str:
    header = (header or "").strip() or None
    field = (field or "").strip() or None
    if header and field and header != field:
        raise EdgeError(422, "partner_id_mismatch",
                        "请求头 X-Partner-Request-Id 与字段 partner_id 不一致")
    value = header or field
    if not value:
        raise EdgeError(422, "missing_partner_id",
                        "请提供合作方编号：字段 partner_id 或请求头 X-Partner-Request-Id")
    if not THEIR_ID.match(value):
        raise EdgeError(422, "bad_partner_id", f"合作方编号格式不正确（{THEIR_ID_RULE}）")
    return value
