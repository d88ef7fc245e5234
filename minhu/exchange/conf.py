"""The exchange's settings, each with a default (override in the deployment's settings)."""

from decimal import Decimal

from django.conf import settings

ENDPOINT_CODE = "province"
SERVICE_USERNAME = "svc-province"
SERVICE_NAME = "省级12345平台"


def deadline_ratio() -> Decimal:
    """Share of the province's remaining time the city's units get (嘉峪关 halved it)."""
    value = Decimal(str(getattr(settings, "MINHU_PROVINCE_DEADLINE_RATIO", "0.5")))
    return min(max(value, Decimal("0.05")), Decimal("1"))


def max_body_bytes() -> int:
    return int(getattr(settings, "MINHU_PROVINCE_MAX_BODY_BYTES", 64 * 1024))
