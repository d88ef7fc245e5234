"""Public endpoints: the opt-out page citizens reach from a message, and the inbound-SMS
hook the gateway calls with replies."""

import hmac
import json
import logging

from django.conf import settings
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from minhu.core.errors import MinhuError

from .addresses import mask_address
from .inbound import MAX_TEXT, handle_reply
from .links import address_from_optout_token
from .optout import is_opted_out, opt_back_in, opt_out

log = logging.getLogger(__name__)

MAX_INBOUND_BYTES = 4096
SECRET_HEADER = "HTTP_X_MINHU_GATEWAY_SECRET"


@require_http_methods(["GET", "POST"])
def optout_page(request, token: str):
    address = address_from_optout_token(token) if len(token) <= 400 else None
    if address is None:
        return render(request, "notices/optout.html", {"invalid": True}, status=404)
    done = None
    if request.method == "POST":
        with transaction.atomic():
            if request.POST.get("action") == "back_in":
                opt_back_in(address)
                done = "back_in"
            else:
                opt_out(address, "link")
                done = "opted_out"
    return render(request, "notices/optout.html", {
        "masked": mask_address(address), "opted_out": is_opted_out(address), "done": done,
    })


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"code": code, "message": message, "details": {}}, status=status,
                        json_dumps_params={"ensure_ascii": False})


@csrf_exempt  # called by the gateway, authenticated by the shared secret
@require_POST
def inbound_sms(request):
    secret = getattr(settings, "MINHU_SMS_INBOUND_SECRET", "")
    given = request.META.get(SECRET_HEADER, "")
    if not secret:
        return _error(503, "inbound_disabled", "未配置上行短信密钥，拒绝接收")
    if not hmac.compare_digest(given.encode(), secret.encode()):
        return _error(403, "bad_secret", "网关密钥不正确")
    if len(request.body) > MAX_INBOUND_BYTES:
        return _error(413, "too_large", f"请求过大（最多 {MAX_INBOUND_BYTES} 字节）")
    try:
        data = _payload(request)
    except ValueError as exc:
        return _error(400, "bad_request", str(exc))
    sender, text = data.get("from"), data.get("text")
    if not isinstance(text, str) or not text.strip():
        return _error(422, "missing_text", "缺少短信内容 text")
    if len(text) > MAX_TEXT:
        return _error(422, "too_long", f"短信内容过长（最多 {MAX_TEXT} 字）")
    # JSON may carry \u0000 or a lone surrogate: neither can be stored (500 otherwise).
    if "\x00" in text or any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        return _error(422, "bad_characters", "短信内容含有不允许的字符（空字符或无效的 Unicode）")
    try:
        with transaction.atomic():
            action = handle_reply(sender, text)
    except MinhuError as exc:
        return _error(exc.status, exc.code, exc.message)
    log.info("inbound SMS from %s: %s", mask_address(str(sender)), action)
    return JsonResponse({"ok": True, "action": action})


def _payload(request) -> dict:
    """JSON {"from", "text"} or the same fields form-encoded, UTF-8 only."""
    try:
        request.body.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("请求须为 UTF-8 编码") from None
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body)
        except ValueError:
            raise ValueError("JSON 格式错误") from None
        if not isinstance(data, dict):
            raise ValueError("JSON 须为对象")
        return data
    return {"from": request.POST.get("from"), "text": request.POST.get("text")}
