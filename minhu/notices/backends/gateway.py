"""The generic HTTP SMS gateway (the contract is in docs/notifications.md)."""

import requests
from django.conf import settings

from . import DeliveryError, signature

MAX_ERROR_BODY = 200


class HttpGatewayBackend:
    def __init__(self):
        self.url = getattr(settings, "MINHU_SMS_GATEWAY_URL", "")
        self.token = getattr(settings, "MINHU_SMS_GATEWAY_TOKEN", "")
        self.timeout = float(getattr(settings, "MINHU_SMS_GATEWAY_TIMEOUT", 10))

    def send(self, message) -> str:
        if not self.url:
            raise DeliveryError("未配置短信网关地址 MINHU_SMS_GATEWAY_URL")
        payload = {"to": message.to, "text": message.text, "signature": signature(),
                   "message_id": str(message.pk)}
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        try:
            response = requests.post(self.url, json=payload, headers=headers,
                                     timeout=self.timeout)
        except requests.Timeout:
            raise DeliveryError(f"短信网关超时（{self.timeout:g} 秒）") from None
        except requests.RequestException as exc:
            # The exception text names host and reason, never the token.
            raise DeliveryError(f"短信网关连接失败：{type(exc).__name__}: {exc}"[:400]) from None
        if not 200 <= response.status_code < 300:
            body = response.text[:MAX_ERROR_BODY].replace("\n", " ")
            raise DeliveryError(f"短信网关返回 HTTP {response.status_code}：{body}")
        try:
            data = response.json()
        except ValueError:
            return ""
        return str(data.get("id", "") if isinstance(data, dict) else "")[:120]
