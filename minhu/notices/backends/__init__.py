"""Delivery backends for citizen messages, chosen by dotted path in settings.

A backend has ``send(message) -> str`` (the provider's id, may be empty) and raises
``DeliveryError`` when the message did not go out; the caller retries later."""

from functools import lru_cache

from django.conf import settings
from django.utils.module_loading import import_string

DEFAULT_SMS_BACKEND = "minhu.notices.backends.console.ConsoleBackend"
DEFAULT_EMAIL_BACKEND = "minhu.notices.backends.mail.DjangoMailBackend"


class DeliveryError(Exception):
    """The message did not go out; ``str(exc)`` is kept on the message row."""


def backend_path(kind: str) -> str:
    if kind == "email":
        return getattr(settings, "MINHU_EMAIL_MESSAGE_BACKEND", DEFAULT_EMAIL_BACKEND)
    return getattr(settings, "MINHU_SMS_BACKEND", DEFAULT_SMS_BACKEND) or DEFAULT_SMS_BACKEND


@lru_cache(maxsize=16)
def _load(path: str):
    return import_string(path)


def get_backend(kind: str):
    """A fresh backend instance (backends read settings at construction, so tests that
    override settings see their values)."""
    return _load(backend_path(kind))()


def signature() -> str:
    return getattr(settings, "MINHU_SMS_SIGNATURE", "")
