"""Absolute links put into citizen messages, and the signed tokens inside them."""

from django.conf import settings
from django.core import signing

OPTOUT_SALT = "minhu.notices.optout"
# Shared with the citizen portal, which serves /m/rate/<token>/ (docs/notifications.md).
RATE_SALT = "minhu.portal.rate"


def public_url(path: str) -> str:
    base = getattr(settings, "MINHU_PUBLIC_URL", "") or "http://127.0.0.1:8000"
    return base.rstrip("/") + "/" + path.lstrip("/")


def optout_token(address: str) -> str:
    return signing.dumps(address, salt=OPTOUT_SALT)


def address_from_optout_token(token: str) -> str | None:
    """The address a token was made for; None when it was tampered with. Opt-out links
    never expire: an old SMS must still let the citizen stop the next one."""
    try:
        value = signing.loads(token, salt=OPTOUT_SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, str) else None


def optout_url(address: str) -> str:
    return public_url(f"/notify/optout/{optout_token(address)}/")


def rate_token(number: str) -> str:
    return signing.dumps({"n": number}, salt=RATE_SALT)


def rate_url(number: str) -> str:
    return public_url(f"/m/rate/{rate_token(number)}/")
