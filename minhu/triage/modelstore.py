"""The model this process classifies with, loaded once and swapped when another version
becomes active.

The active ``ModelVersion`` id is looked up at most every ``CHECK_SECONDS`` (one indexed
query), and at once after a version is saved in this process. Without an active version
the built-in cold start (``coldstart.load_or_build``) is used, reported as version None.
"""

from __future__ import annotations

import logging
import threading
import time

from django.db.models.signals import post_save
from django.dispatch import receiver

from .bundle import ModelBundle
from .models import ModelVersion

log = logging.getLogger(__name__)

CHECK_SECONDS = 30.0


class _State:
    def __init__(self):
        self.lock = threading.RLock()
        self.key: tuple | None = None  # (pk, created_at) of the loaded version; ("builtin",)
        self.bundle: ModelBundle | None = None
        self.checked_at = float("-inf")
        self.builtin: ModelBundle | None = None


_state = _State()


def builtin() -> ModelBundle:
    """The cold-start model, built or read from its cache file once per process."""
    if _state.builtin is None:
        with _state.lock:
            if _state.builtin is None:
                from .coldstart import load_or_build

                _state.builtin = load_or_build()
    return _state.builtin


def _active_key() -> tuple:
    row = (ModelVersion.objects.filter(is_active=True)
           .order_by("-activated_at", "-pk").values_list("pk", "created_at").first())
    return tuple(row) if row else ("builtin",)


def current() -> tuple[ModelBundle, int | None]:
    """(model, ModelVersion pk or None for the built-in one)."""
    now = time.monotonic()
    if _state.bundle is not None and now - _state.checked_at < CHECK_SECONDS:
        return _state.bundle, _version_of(_state.key)
    with _state.lock:
        try:
            key = _active_key()
        except Exception:  # no database at hand (a script, a broken connection)
            log.warning("active model version unknown, keeping the loaded one", exc_info=True)
            key = _state.key or ("builtin",)
        if key != _state.key or _state.bundle is None:
            _state.bundle, _state.key = _load(key), key
        _state.checked_at = now
        return _state.bundle, _version_of(_state.key)


def _version_of(key: tuple | None) -> int | None:
    return key[0] if key and key[0] != "builtin" else None


def _load(key: tuple) -> ModelBundle:
    if key[0] == "builtin":
        return builtin()
    blob = ModelVersion.objects.filter(pk=key[0]).values_list("blob", flat=True).first()
    if blob:
        try:
            return ModelBundle.loads(blob)
        except Exception:
            log.exception("model version %s unreadable, using the built-in model", key[0])
    return builtin()


def reset() -> None:
    """Forget the loaded version (the next call looks the active one up again)."""
    with _state.lock:
        _state.checked_at = float("-inf")
        _state.key, _state.bundle = None, None


@receiver(post_save, sender=ModelVersion, dispatch_uid="triage_modelstore_refresh")
def _version_saved(**_kwargs) -> None:
    with _state.lock:
        _state.checked_at = float("-inf")
