"""POST requests: a form-encoded Open311 service request becomes a work order.

    form = read_form(request)                 # strict UTF-8, size-limited
    client = authenticate(form)               # api_key → ApiToken with scope open311
    answer = create(request, form, client)    # raw stored first, then registered

The raw body is stored (``minhu.intake.actions.receive``) as soon as the client is known,
before any field is checked, so a refused or failed request can still be inspected; only
unauthenticated and oversized bodies are turned away unstored.

Idempotency: with an ``Idempotency-Key`` header the same key from the same client always
answers with the same order (a different body under the same key is refused, 409). Without
one, the same client sending exactly the same fields again within the replay window
(``MINHU_OPEN311_REPLAY_MINUTES``, 10 by default) gets the first order back: a double tap
or a retry after a timeout does not make a second order.
"""

import hashlib
import logging
import math
import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import parse_qsl, urlsplit

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.core.validators import validate_email
from django.http.multipartparser import MultiPartParserError

from minhu.accounts.models import ApiToken, Scope, User
from minhu.core import clock
from minhu.core.errors import MinhuError
from minhu.intake.actions import receive, register_from, reject
from minhu.orders.actions import Intake
from minhu.orders.states import Channel

from . import locate
from .formats import Open311Error, parse_w3c
from .models import Submission
from .services import DEFAULT_REQUEST_TYPE, MAX_AFFECTED, check_jurisdiction, service_of

log = logging.getLogger(__name__)

MAX_DESCRIPTION = 4000  # the spec's own limit (request.json: maxLength 4000)
SHORT = 100
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data", "")


def max_body() -> int:
    return int(getattr(settings, "MINHU_OPEN311_MAX_BODY", 64 * 1024))


def replay_window() -> timedelta:
    return timedelta(minutes=int(getattr(settings, "MINHU_OPEN311_REPLAY_MINUTES", 10)))


# --- Reading the form ----------------------------------------------------------------


@dataclass
class Form:
    fields: dict[str, str]
    body: bytes
    content_type: str
    decode_error: str = ""  # set when the body is not UTF-8: refused after storing it

    def get(self, name: str) -> str:
        return self.fields.get(name, "")


def _too_big() -> Open311Error:
    return Open311Error(413, f"请求体过大（最多 {max_body() // 1024} KB）", "payload_too_large")


def read_form(request) -> Form:
    """The POST fields, decoded strictly as UTF-8 (a GBK body is refused, not garbled)."""
    content_type = request.content_type or ""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > max_body():
        raise _too_big()
    if content_type not in FORM_TYPES:
        raise Open311Error(415, "请求体须为表单编码（application/x-www-form-urlencoded）",
                           "unsupported_media_type")
    try:
        body = request.body
    except RequestDataTooBig:
        raise _too_big() from None
    if len(body) > max_body():
        raise _too_big()
    if b"\x00" in body:  # no database stores NUL in text; nothing legitimate sends it
        raise Open311Error(400, "请求体含有空字符（NUL）", "bad_characters")
    fields: dict[str, str] = {}
    for key, value in request.GET.items():  # api_key may come in the query string
        fields.setdefault(key, value)
    if content_type == "multipart/form-data":
        try:
            posted = {k: v for k, v in request.POST.items()}
        except MultiPartParserError:
            raise Open311Error(400, "表单格式有误，无法解析", "bad_form") from None
        bad = any("\ufffd" in k + v for k, v in posted.items())
        fields.update(posted)
        return Form(fields, body, content_type, "bad_encoding" if bad else "")
    try:
        text = body.decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict",
                          max_num_fields=200)
    except UnicodeDecodeError:
        # Still find api_key (ASCII) so that the payload can be stored against its client.
        lenient = parse_qsl(body.decode("latin-1"), keep_blank_values=True,
                            encoding="latin-1", max_num_fields=200)
        fields.update((k, v) for k, v in lenient if k in ("api_key", "service_code"))
        return Form(fields, body, content_type, "bad_encoding")
    except ValueError:
        raise Open311Error(400, "表单字段过多（最多 200 个）", "too_many_fields") from None
    for key, value in pairs:
        fields[key] = value
    if "\x00" in "".join(fields) + "".join(fields.values()):
        raise Open311Error(400, "表单字段含有空字符（NUL）", "bad_characters")
    return Form(fields, body, content_type)


def authenticate(form: Form) -> ApiToken:
    token = ApiToken.objects.authenticate(form.get("api_key").strip(), Scope.OPEN311)
    if token is None:
        raise Open311Error(403, "api_key 无效、已吊销或无 Open311 权限", "bad_api_key")
    return token


# --- Checking the fields -----------------------------------------------------------


def _text(form: Form, name: str, limit: int = SHORT) -> str:
    value = form.get(name).strip()
    if len(value) > limit:
        raise Open311Error(400, f"{name} 过长（最多 {limit} 个字符）", "too_long")
    if any(ord(c) < 32 and c not in "\r\n\t" for c in value):
        raise Open311Error(400, f"{name} 含有不允许的控制字符", "bad_characters")
    return value


def _coordinate(form: Form, name: str, low: float, high: float) -> float | None:
    raw = form.get(name).strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise Open311Error(400, f"{name} 必须是数字（WGS84 坐标）", "bad_coordinates") from None
    if not math.isfinite(value) or not (low <= value <= high):
        raise Open311Error(400, f"{name} 超出范围（{low} 到 {high}）", "bad_coordinates")
    return value


def _attributes(form: Form) -> dict[str, str]:
    found = {}
    for key in form.fields:
        if key.startswith("attribute[") and key.endswith("]"):
            code = key[len("attribute["):].split("]")[0]  # attribute[code] or attribute[code][]
            found[code[:40]] = _text(form, key, SHORT)
    return found


def _choice(value: str, model, what: str) -> str:
    if value and not model.objects.filter(code=value).exists():
        raise Open311Error(400, f"attribute[{what}] 的取值“{value[:20]}”无效，请查询服务定义",
                           "bad_attribute")
    return value


def _media(form: Form) -> str:
    url = _text(form, "media_url", 500)
    if url:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise Open311Error(400, "media_url 必须是 http 或 https 链接", "bad_media_url")
    return url


def _person(form: Form) -> tuple[str, str]:
    first, last = _text(form, "first_name", 32), _text(form, "last_name", 32)
    if first.isascii() and last.isascii():
        name = " ".join(p for p in (first, last) if p)
    else:
        name = last + first  # 姓 then 名
    email = _text(form, "email", 254)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise Open311Error(400, "email 格式不正确", "bad_email") from None
    return name, email


def build_intake(form: Form) -> tuple[Intake, dict]:
    """The order to register, and what the answer and the Open311 row need besides."""
    from minhu.catalog.models import RequestType, UrgencyTier
    from minhu.org.models import Place

    check_jurisdiction(form.get("jurisdiction_id"))
    if not form.get("service_code").strip():
        raise Open311Error(400, "缺少必填字段 service_code", "missing_service_code")
    service = service_of(form.get("service_code"))
    description = _text(form, "description", MAX_DESCRIPTION)
    if not description:
        raise Open311Error(400, "缺少必填字段 description（请描述问题）", "missing_description")
    lat = _coordinate(form, "lat", -90, 90)
    lng = _coordinate(form, "long", -180, 180)
    if (lat is None) != (lng is None):
        raise Open311Error(400, "lat 和 long 须同时提供", "bad_coordinates")
    address = _text(form, "address_string", 200)
    place = None
    address_id = _text(form, "address_id", 20)
    if address_id:
        numeric = address_id.isascii() and address_id.isdigit() and int(address_id) < 2**31
        place = Place.objects.filter(pk=int(address_id)).first() if numeric else None
        if place is None:
            raise Open311Error(400, f"address_id“{address_id}”不存在", "unknown_address_id")
    if lat is None and not address and place is None:
        raise Open311Error(400, "请提供位置：lat/long、address_string 或 address_id 之一",
                           "missing_location")
    name, email = _person(form)
    phone = _text(form, "phone", 20)
    attrs = _attributes(form)
    request_type = _choice(attrs.get("request_type", ""), RequestType, "request_type")
    urgency = _choice(attrs.get("urgency", ""), UrgencyTier, "urgency")
    lines = [description]
    if attrs.get("observed_at"):
        seen = parse_w3c(attrs["observed_at"], "attribute[observed_at]")
        lines.append(f"发现时间：{seen.strftime('%Y-%m-%d %H:%M')}")
    if attrs.get("affected_count"):
        count = attrs["affected_count"]
        if not count.isdigit() or int(count) > MAX_AFFECTED:
            raise Open311Error(400, f"attribute[affected_count] 须为 0 到 {MAX_AFFECTED} 的整数",
                               "bad_attribute")
        lines.append(f"受影响人数/户数：{int(count)}")
    media_url = _media(form)
    if media_url:
        lines.append(f"图片：{media_url}")
    community = None
    if place is None and address:
        place = locate.place_in_address(address)
    if place is None and lat is not None:
        community = locate.area_of_point(lat, lng)
    intake = Intake(
        content="\n".join(lines), request_type=request_type or DEFAULT_REQUEST_TYPE,
        channel=Channel.OPEN311, urgency=urgency or "normal", category=service.code,
        title=description.splitlines()[0][:60], citizen_name=name, citizen_phone=phone,
        is_anonymous=not (name or phone or email), address=address, lat=lat, lng=lng,
        place_id=place.pk if place else None, community=community,
        extra={"email": email} if email else {},
    )
    account_id = _text(form, "account_id", SHORT)
    _text(form, "device_id", SHORT)  # checked only; kept in the raw payload
    return intake, {"media_url": media_url, "account_id": account_id}


def fingerprint(form: Form, client: ApiToken) -> str:
    pairs = sorted((k, v) for k, v in form.fields.items() if k != "api_key")
    text = repr((client.pk, pairs))
    return hashlib.sha256(text.encode("utf-8", "backslashreplace")).hexdigest()


# --- Creating -------------------------------------------------------------------------


@dataclass
class Created:
    token: str
    order: object | None  # None: stored, registration failed for now (retried later)
    account_id: str


def _idempotency_key(request, form: Form, client: ApiToken, fp: str, token: str) -> str:
    header = (request.headers.get("Idempotency-Key") or "").strip()
    if header:
        if len(header) > 80 or not header.isprintable():
            raise Open311Error(400, "Idempotency-Key 须为不超过 80 个可见字符",
                               "bad_idempotency_key")
        return "key:" + header
    recent = (Submission.objects.filter(client=client, fingerprint=fp,
                                        created_at__gte=clock.now() - replay_window(),
                                        raw__order__isnull=False)
              .order_by("-created_at").first())
    return recent.idempotency_key if recent else "auto:" + token


def create(request, form: Form, client: ApiToken) -> Created:
    raw = receive(Channel.OPEN311, body=form.body, source=client.user.username,
                  content_type=form.content_type, meta={"api_token": client.pk},
                  remote_addr=request.META.get("REMOTE_ADDR"))
    try:
        if form.decode_error:
            raise Open311Error(400, "请求体不是有效的 UTF-8 编码（请勿使用 GBK 等编码）",
                               "bad_encoding")
        intake, extra = build_intake(form)
        fp = fingerprint(form, client)
        token = secrets.token_urlsafe(16)
        key = _idempotency_key(request, form, client, fp, token)
    except Open311Error as exc:
        reject(raw, exc.code or "invalid", exc.description)
        raise
    Submission.objects.create(token=token, raw=raw, client=client, fingerprint=fp,
                              idempotency_key=key, media_url=extra["media_url"],
                              created_at=clock.now())
    try:
        order, _ = register_from(raw, client.user, intake, idempotency_key=key,
                                 fingerprint=fp if key.startswith("key:") else "")
    except MinhuError as exc:
        status = 409 if exc.code == "idempotency_key_reused" else 400
        raise Open311Error(status, exc.message, exc.code) from exc
    except Exception:  # noqa: BLE001 - stored and marked failed; retried later
        log.exception("Open311 submission %s could not be registered", token)
        return Created(token, None, extra["account_id"])
    return Created(token, order, extra["account_id"])


def parse_raw(raw):
    """Registration again from the stored payload (``minhu.intake.actions.retry_failed``)."""
    from django.http import QueryDict

    submission = Submission.objects.get(raw=raw)
    if raw.content_type.startswith("multipart/"):
        raise MinhuError("multipart 表单无法自动重试，请人工登记", code="no_parser")
    fields = dict(QueryDict(raw.body, encoding="utf-8").items())
    form = Form(fields, raw.body.encode("utf-8"), raw.content_type)
    intake, _ = build_intake(form)
    actor = User.objects.get(username=raw.source)
    key = submission.idempotency_key
    return actor, intake, {"idempotency_key": key,
                           "fingerprint": submission.fingerprint if key.startswith("key:")
                           else ""}
