"""The HTTP API (django-ninja): one instance mounted at ``/api/``, version 1 under
``/api/v1/``, OpenAPI at ``/api/openapi.json`` and interactive docs at ``/api/docs``.

Who may call it:

* machines send ``Authorization: Bearer <key>`` with a key from ``minhu issue-token``;
* people use their Django session (the same login as the admin site); a session request
  that changes something must carry the CSRF token (header ``X-CSRFToken``).

Every error leaves as JSON ``{"code": ..., "message": ..., "details": {...}}`` with a
stable ``code`` and a Chinese ``message``; no input may produce a 500.
"""

import json
import logging
import math
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpResponse, JsonResponse
from django.urls import re_path
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.utils import check_csrf

from minhu.accounts.models import ApiToken, Scope
from minhu.core import clock
from minhu.core.errors import Forbidden, MinhuError, ValidationFailed

logger = logging.getLogger("minhu.api")

API_VERSION = "1.0.0"
# last_used_at is written at most this often per token, not on every request.
TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)
UNAUTHENTICATED_MESSAGE = "请先登录或提供有效的 API 令牌"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

DESCRIPTION = """\
民呼 12345 接诉即办平台的 HTTP 接口：登记诉求、派单、签收、退单、延期、答复、回访、督办……
工单的每一步都通过这里的操作完成，与后台和命令行走同一套规则。

The HTTP API of Minhu, the platform behind a city's 12345 citizen hotline: register a
request, dispatch, sign, return, extend, reply, call back, supervise. Every step of a
work order goes through these operations, under the same rules as the web and the CLI.

* 认证 / Auth: `Authorization: Bearer <key>`（`minhu issue-token 用户名 --name 用途`），
  or a logged-in session with the CSRF header for unsafe methods.
* 错误 / Errors: `{"code": "...", "message": "中文说明", "details": {...}}`.
"""


# --- Errors -----------------------------------------------------------------


class BadJson(MinhuError):
    """The request body is not a JSON document we can read."""

    status = 400
    code = "bad_json"


def error_response(status: int, code: str, message: str, details: dict | None = None,
                   ) -> HttpResponse:
    body = {"code": code, "message": message, "details": details or {}}
    return HttpResponse(to_json(body), status=status,
                        content_type="application/json; charset=utf-8")


def to_json(data) -> bytes:
    """UTF-8 JSON with readable Chinese; \\u escapes only if some text cannot be encoded."""
    try:
        return json.dumps(data, cls=NinjaJSONEncoder, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate somewhere
        return json.dumps(data, cls=NinjaJSONEncoder).encode("ascii")


class Renderer(JSONRenderer):
    def render(self, request, data, *, response_status):
        return to_json(data)


# --- Reading bodies -----------------------------------------------------------


def _reject_constant(name: str):
    raise ValueError(f"非法数值 {name}")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("数值超出范围")
    return value


def _bad_text(value: str) -> bool:
    """NUL cannot be stored by PostgreSQL and lone surrogates cannot be encoded."""
    if "\x00" in value:
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _check_strings(data, path: str = "") -> None:
    stack = [(data, path)]
    while stack:
        value, where = stack.pop()
        if isinstance(value, str):
            if _bad_text(value):
                raise ValidationFailed(
                    f"字段 {where or '（请求体）'} 含有不允许的字符"
                    "（空字符或无效的 Unicode 代理项）",
                    code="bad_characters", field=where)
        elif isinstance(value, dict):
            for key, item in value.items():
                sub = f"{where}.{key}" if where else str(key)
                if _bad_text(key):
                    raise ValidationFailed("请求体中的字段名含有不允许的字符",
                                           code="bad_characters")
                stack.append((item, sub))
        elif isinstance(value, list):
            stack.extend((item, f"{where}.{i}") for i, item in enumerate(value))


class StrictJsonParser(Parser):
    """UTF-8 JSON objects only; no NaN/Infinity, NUL bytes or lone surrogates."""

    def parse_body(self, request):
        try:
            text = request.body.decode("utf-8")
        except UnicodeDecodeError:
            raise BadJson("请求体不是有效的 UTF-8 编码，请以 UTF-8 发送 JSON") from None
        if text.startswith("\ufeff"):
            text = text[1:]
        try:
            data = json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
        except (ValueError, RecursionError):
            raise BadJson("请求体不是有效的 JSON") from None
        if not isinstance(data, dict):
            raise ValidationFailed("请求体必须是 JSON 对象（{...}）", code="validation_failed")
        _check_strings(data)
        return data

    def parse_querydict(self, data, list_fields, request):
        result = super().parse_querydict(data, list_fields, request)
        for key, value in result.items():
            values = value if isinstance(value, list) else [value]
            # Uploaded files arrive here too (multipart); only text is checked.
            if _bad_text(key) or any(isinstance(v, str) and _bad_text(v) for v in values):
                raise ValidationFailed(f"查询参数 {key[:40]} 含有不允许的字符",
                                       code="bad_characters", field=key[:40])
        return result


# --- Authentication ----------------------------------------------------------


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <key>``: an ``ApiToken`` bound to a staff account, carrying
    ``scope`` (the staff API's own scope unless a router asks for another, e.g. partners)."""

    def __init__(self, scope: str = Scope.API):
        super().__init__()
        self.scope = scope

    def authenticate(self, request, token: str):
        found = ApiToken.objects.authenticate(token.strip(), self.scope)
        if found is None:
            return None
        now = clock.now()
        last = found.last_used_at
        if last is None or now - last >= TOKEN_TOUCH_INTERVAL or now < last:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
            found.last_used_at = now
        request.api_token = found
        request.user = found.user
        return found.user


class SessionAuth(APIKeyCookie):
    """The Django session (people in a browser). Unsafe methods must pass the CSRF
    check; anonymous requests fall through so the client gets a clean 401."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self):
        super().__init__(csrf=False)

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        unsafe = request.method not in SAFE_METHODS
        exempt = getattr(request, "_ninja_csrf_exempt", False)
        if unsafe and not exempt and check_csrf(request) is not None:
            raise Forbidden("CSRF 校验失败：请在请求头 X-CSRFToken 中携带 csrftoken",
                            code="csrf_failed")
        request.api_token = None
        return user


# --- Validation messages -------------------------------------------------------


def _field_of(loc) -> str:
    parts = list(loc or [])
    if parts and parts[0] == "body":
        parts = parts[2:]  # ("body", <parameter name>, field, ...)
    elif parts:
        parts = parts[1:]
    return ".".join(str(p) for p in parts)


def _bound(ctx: dict, key: str) -> str:
    value = ctx.get(key)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _describe(error: dict) -> str:
    field = _field_of(error.get("loc"))
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    name = f"字段 {field}" if field else "请求体"
    if not field and kind in ("missing",):
        return "请求体不能为空，请提交 JSON 对象"
    if not field and kind in ("model_attributes_type", "model_type", "dict_type"):
        return "请求体必须是 JSON 对象（{...}）"
    if kind == "missing":
        return f"{name} 为必填项"
    if kind == "string_too_short":
        if ctx.get("min_length") in (None, 1):
            return f"{name} 不能为空"
        return f"{name} 至少 {_bound(ctx, 'min_length')} 个字符"
    if kind == "string_too_long":
        return f"{name} 过长（最多 {_bound(ctx, 'max_length')} 个字符）"
    if kind == "string_pattern_mismatch":
        return f"{name} 格式不正确"
    if kind in ("string_type", "string_unicode"):
        return f"{name} 必须是字符串"
    if kind in ("int_parsing", "int_type", "int_from_float", "int_parsing_size"):
        return f"{name} 必须是整数"
    if kind in ("float_parsing", "float_type", "decimal_parsing", "decimal_type"):
        return f"{name} 必须是数字"
    if kind == "finite_number":
        return f"{name} 必须是有限的数字"
    if kind in ("bool_parsing", "bool_type"):
        return f"{name} 必须是布尔值（true 或 false）"
    if kind in ("greater_than_equal", "greater_than"):
        word = "不小于" if kind == "greater_than_equal" else "大于"
        key = "ge" if kind == "greater_than_equal" else "gt"
        return f"{name} 超出范围（须{word} {_bound(ctx, key)}）"
    if kind in ("less_than_equal", "less_than"):
        word = "不大于" if kind == "less_than_equal" else "小于"
        key = "le" if kind == "less_than_equal" else "lt"
        return f"{name} 超出范围（须{word} {_bound(ctx, key)}）"
    if kind in ("literal_error", "enum"):
        expected = str(ctx.get("expected", "")).replace(" or ", ", ")
        return f"{name} 的取值须为 {expected} 之一" if expected else f"{name} 的取值无效"
    if kind == "too_long":
        return f"{name} 最多 {_bound(ctx, 'max_length')} 项"
    if kind == "too_short":
        return f"{name} 至少 {_bound(ctx, 'min_length')} 项"
    if kind in ("list_type", "tuple_type", "set_type"):
        return f"{name} 必须是数组"
    if kind in ("dict_type", "model_attributes_type", "model_type"):
        return f"{name} 必须是 JSON 对象"
    if kind.startswith(("datetime", "date", "time", "timezone")):
        return f"{name} 必须是 ISO 8601 时间，如 2025-09-30T10:00:00+08:00"
    if kind == "json_invalid":
        return f"{name} 不是有效的 JSON"
    if kind == "value_error" and not str(ctx.get("error", "")).isascii():
        # Our own validators explain themselves in Chinese.
        return f"{name} {ctx['error']}"
    return f"{name} 的值无效"


def _plain(value):
    if isinstance(value, (str, int, bool)) or value is None:
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


def describe_validation_errors(errors: list[dict]) -> tuple[str, list[dict]]:
    """A short Chinese sentence per field, and the raw errors (JSON-safe) for details."""
    messages: list[str] = []
    raw: list[dict] = []
    for error in errors:
        text = _describe(error)
        if text not in messages:
            messages.append(text)
        raw.append({
            "field": _field_of(error.get("loc")),
            "message": text,
            "loc": [_plain(p) for p in error.get("loc") or []],
            "type": error.get("type", ""),
            "msg": str(error.get("msg", "")),
            **({"ctx": _plain(error["ctx"])} if error.get("ctx") else {}),
        })
    shown = messages[:5]
    message = "；".join(shown)
    if len(messages) > len(shown):
        message += f"；等 {len(messages)} 处问题"
    return message or "请求参数有误", raw


# --- The API -------------------------------------------------------------------


def _json_errors(view):
    """Wrap a URL view so that Django-level 404/405 responses are JSON too."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            return error_response(404, "not_found", "接口不存在")
        if response.status_code == 405 and "json" not in response.get("Content-Type", ""):
            allowed = response.get("Allow", "")
            json_response = error_response(
                405, "method_not_allowed", f"该接口不支持 {request.method} 请求（可用：{allowed}）")
            json_response["Allow"] = allowed
            return json_response
        return response

    return wrapper


@csrf_exempt
def unknown_route(request, *args, **kwargs):
    return error_response(404, "not_found", "接口不存在，请查看 /api/docs")


@csrf_exempt
def api_index(request, *args, **kwargs):
    return JsonResponse({"name": "民呼 Minhu API", "version": API_VERSION, "v1": "/api/v1/",
                         "docs": "/api/docs", "openapi": "/api/openapi.json"},
                        json_dumps_params={"ensure_ascii": False})


class MinhuAPI(NinjaAPI):
    def _get_urls(self):
        urls = super()._get_urls()
        for pattern in urls:
            if pattern.name == "api-root":
                pattern.callback = api_index
            else:
                pattern.callback = _json_errors(pattern.callback)
        urls.append(re_path(r"^.*$", unknown_route, name="unknown"))
        return urls


api = MinhuAPI(
    title="民呼 Minhu API",
    version=API_VERSION,
    description=DESCRIPTION,
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth()],
    renderer=Renderer(),
    parser=StrictJsonParser(),
)


@api.exception_handler(MinhuError)
def _minhu_error(request, exc: MinhuError):
    return error_response(exc.status, exc.code, exc.message, dict(exc.details))


@api.exception_handler(ValidationError)
def _validation_error(request, exc: ValidationError):
    message, raw = describe_validation_errors(exc.errors)
    return error_response(422, "validation_failed", message, {"errors": raw})


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    response = error_response(401, "unauthenticated", UNAUTHENTICATED_MESSAGE)
    response["WWW-Authenticate"] = 'Bearer realm="minhu"'
    return response


HTTP_CODES = {
    400: ("bad_request", "请求有误"),
    401: ("unauthenticated", UNAUTHENTICATED_MESSAGE),
    403: ("forbidden", "您无权执行此操作"),
    404: ("not_found", "资源不存在"),
    405: ("method_not_allowed", "该接口不支持此请求方法"),
    413: ("payload_too_large", "请求体过大"),
    429: ("throttled", "请求过于频繁，请稍后再试"),
}


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    cause = exc.__cause__
    if isinstance(cause, MinhuError):  # raised by our parser while reading the body
        return _minhu_error(request, cause)
    if isinstance(cause, RequestDataTooBig):
        return _too_big(request, cause)
    if exc.status_code == 400 and cause is not None:
        return error_response(400, "bad_json", "请求体不是有效的 JSON")
    code, message = HTTP_CODES.get(exc.status_code, ("error", "请求失败"))
    return error_response(exc.status_code, code, message)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return error_response(404, "not_found", "资源不存在")


@api.exception_handler(PermissionDenied)
def _permission_denied(request, exc):
    return error_response(403, "forbidden", "您无权执行此操作")


@api.exception_handler(RequestDataTooBig)
def _too_big(request, exc):
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return error_response(413, "payload_too_large",
                          f"请求体过大（最多 {limit // 1024} KB）" if limit else "请求体过大")


@api.exception_handler(SuspiciousOperation)
def _suspicious(request, exc):
    return error_response(400, "bad_request", "请求有误，已被拒绝")


@api.exception_handler(Exception)
def _internal_error(request, exc):
    logger.exception("unhandled error in %s %s", request.method, request.path[:200])
    return error_response(500, "internal_error",
                          "服务器内部错误，请稍后重试；如持续出现请联系管理员")


def _mount() -> None:
    from minhu.exchange.api import router as province_router
    from minhu.orders.api import reference_router, router
    from minhu.partners.api import router as partner_router
    from minhu.telephony.api import router as cti_router
    from minhu.triage.api import router as triage_router

    api.add_router("/v1/", router)
    api.add_router("/v1/", reference_router)
    api.add_router("/v1/partner/", partner_router)
    api.add_router("/v1/province/", province_router)
    api.add_router("/v1/cti/", cti_router)
    api.add_router("/v1/", triage_router)


_mount()
