"""This process's gazetteer: built on first use, thrown away when the rows behind it change.

Same process: the signals in ``signals.py`` call ``forget()`` on every save or delete of a
Unit, Place or Boundary. Other processes: ``forget()`` bumps a version counter in Django's
cache, and at most every ``STALE_CHECK_SECONDS`` each process compares that counter and a
cheap count/max-id signature of the tables (which also catches bulk writes and rollbacks,
which send no signal). A large city's gazetteer takes seconds to build, so it is rebuilt in
a background thread while the previous one keeps answering.
"""

from __future__ import annotations

import logging
import threading
import time

from django.core.cache import cache
from django.db import connection

from .gazetteer import VERSION_KEY, Gazetteer, build, signature

logger = logging.getLogger(__name__)

STALE_CHECK_SECONDS = 60
BACKGROUND_ABOVE_PLACES = 20_000

_lock = threading.Lock()
_current: Gazetteer | None = None
# The last gazetteer built, still served while a large city's replacement is built in the
# background (a Beijing-sized gazetteer takes seconds to build; a lookup must not wait).
_previous: Gazetteer | None = None
_generation = 0  # bumped by every forget(): a build started before it is already stale
_rebuilding = False
# Until then, after units or places changed inside a transaction not yet committed, every
# lookup compares the signature (a few aggregate queries): a rollback sends no signal. The
# commit clears it; after a rollback the ordinary periodic check takes over.
_uncommitted_until = 0.0


def current() -> Gazetteer:
    """This process's gazetteer, rebuilt when the data behind it changed."""
    global _current
    gaz = _current
    now = time.monotonic()
    if gaz is not None and (now < _uncommitted_until
                            or now - gaz.checked_at > STALE_CHECK_SECONDS):
        gaz.checked_at = now
        if cache.get(VERSION_KEY) != gaz.version or signature() != gaz.signature:
            _forget_here()
            gaz = None
    if gaz is None:
        previous = _previous
        if previous is not None and len(previous.places) > BACKGROUND_ABOVE_PLACES:
            _rebuild_in_background()
            return previous
        with _lock:
            if _current is None:
                _install(build(), _generation)
            gaz = _current or build()
    return gaz


def warm() -> None:
    """Start building this process's gazetteer in the background (call at start-up so the
    first request does not wait for a large city's build)."""
    if _current is None:
        _rebuild_in_background()


def _install(gaz: Gazetteer, generation: int) -> bool:
    global _current, _previous
    if generation != _generation:
        return False
    _current = _previous = gaz
    return True


def _rebuild_in_background() -> None:
    global _rebuilding
    with _lock:
        if _rebuilding:
            return
        _rebuilding = True
    threading.Thread(target=_rebuild, name="minhu-gazetteer", daemon=True).start()


def _rebuild() -> None:
    global _rebuilding
    try:
        for _ in range(3):  # rows changed again during the build: once more
            generation = _generation
            fresh = build()
            fresh.boundaries()  # loaded here too, not by the first lookup with coordinates
            with _lock:
                if _install(fresh, generation):
                    return
    except Exception:  # the old gazetteer keeps serving; the next lookup tries again
        logger.exception("地名库后台重建失败")
    finally:
        _rebuilding = False
        connection.close()  # this thread's own connection


def changed_in_transaction() -> None:
    global _uncommitted_until
    if connection.in_atomic_block:
        _uncommitted_until = time.monotonic() + STALE_CHECK_SECONDS


def committed() -> None:
    global _uncommitted_until
    _uncommitted_until = 0.0
    forget()


def _forget_here() -> None:
    global _current, _generation
    _generation += 1
    _current = None


def forget() -> None:
    """Drop this process's gazetteer and tell the others (through the cache) to do so."""
    _forget_here()
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 1, None)
