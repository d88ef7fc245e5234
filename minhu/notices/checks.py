"""`minhu check` warnings for a message configuration that would fail silently."""

from django.conf import settings
from django.core.checks import Warning, register

from .backends import backend_path


@register()
def message_backends(app_configs, **kwargs):
    problems = []
    sms = backend_path("sms")
    if not settings.DEBUG and sms.endswith(("ConsoleBackend", "LocmemBackend")):
        problems.append(Warning(
            "短信通道是开发用的控制台通道：市民收不到任何短信",
            hint="设置 MINHU_SMS_BACKEND=minhu.notices.backends.gateway.HttpGatewayBackend"
                 "（见 docs/notifications.md）", id="minhu.notices.W001"))
    if sms.endswith("HttpGatewayBackend") and not getattr(settings, "MINHU_SMS_GATEWAY_URL", ""):
        problems.append(Warning("已选 HTTP 短信网关，但未配置 MINHU_SMS_GATEWAY_URL",
                                id="minhu.notices.W002"))
    if sms.endswith("HttpGatewayBackend") and not getattr(settings, "MINHU_SMS_INBOUND_SECRET",
                                                          ""):
        problems.append(Warning("未配置 MINHU_SMS_INBOUND_SECRET：市民回复 TD 无法退订",
                                id="minhu.notices.W003"))
    return problems
