"""Rate limits kept in Django's cache (fixed windows).

The counters live in whatever cache ``CACHES["default"]`` names. The built-in local-memory
cache counts per process, which is right for ``minhu serve`` (one process); a deployment
with several web processes must point the default cache at a shared one (Redis or
Memcached), or each process would allow the full limit.
"""

import hashlib

from django.core.cache import cache

from minhu.core import clock

from . import settings as portal_settings


def _key(scope: str, ident: str, window: int) -> str:
    bucket = int(clock.now().timestamp()) // window
    digest = hashlib.sha256(ident.encode("utf-8", "replace")).hexdigest()[:24]
    return f"minhu:portal:{scope}:{digest}:{bucket}"


def exceeded(scope: str, ident: str | None) -> bool:
    """Count one hit for ``ident`` in ``scope``; True once it is over the limit."""
    if not ident:
        return False
    limit, window = portal_settings.limit(scope)
    key = _key(scope, ident, window)
    cache.add(key, 0, timeout=window + 60)
    try:
        count = cache.incr(key)
    except ValueError:  # the key expired between add and incr
        cache.set(key, 1, timeout=window + 60)
        count = 1
    return count > limit


def client_ip(request) -> str:
    # REMOTE_ADDR only: behind a reverse proxy, configure the WSGI server to set it from
    # the proxy's header (waitress: trusted_proxy), never trust X-Forwarded-For here.
    return request.META.get("REMOTE_ADDR", "") or ""
