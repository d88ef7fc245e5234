"""The portal's knobs, each overridable in Django settings (``MINHU_PORTAL_*``)."""

from django.conf import settings


def get(name: str, default):
    return getattr(settings, "MINHU_PORTAL_" + name, default)


def max_photos() -> int:
    return get("MAX_PHOTOS", 3)


def photo_max_bytes() -> int:
    return get("PHOTO_MAX_BYTES", 8 * 2**20)


def max_pixels() -> int:
    # A 12-megapixel phone photo is 12 M; 40 M leaves room for panoramas while a
    # decompression bomb (a tiny file declaring 50 000 × 50 000 pixels) is refused unread.
    return get("MAX_PIXELS", 40_000_000)


def min_fill_seconds() -> int:
    return get("MIN_FILL_SECONDS", 3)


def form_max_age() -> int:
    return get("FORM_MAX_AGE", 2 * 3600)


# (count, seconds) per scope; the cache counts them (see limits.py).
LIMITS = {
    "submit_ip": (20, 3600),
    "submit_phone": (5, 3600),
    "code_ip": (20, 3600),
    "code_phone": (5, 3600),
    "verify_ip": (30, 3600),
    "search_ip": (600, 3600),
}


def limit(scope: str) -> tuple[int, int]:
    return get("LIMITS", {}).get(scope, LIMITS[scope])


def code_ttl_seconds() -> int:
    return get("CODE_TTL", 10 * 60)


def code_max_attempts() -> int:
    return get("CODE_ATTEMPTS", 5)


def code_resend_seconds() -> int:
    return get("CODE_RESEND", 60)


def grant_seconds() -> int:
    """How long a verified phone may look at its order in this browser."""
    return get("GRANT_SECONDS", 30 * 60)
