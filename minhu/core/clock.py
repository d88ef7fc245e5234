"""The platform's notion of "now".

Every action asks this module for the time instead of calling
``timezone.now()`` directly, so the demo city can replay months of history
through the real actions and tests can pin time without patching Django.
"""

import contextlib
import threading
from collections.abc import Iterator
from datetime import datetime

from django.utils import timezone

_local = threading.local()


def now() -> datetime:
    pinned = getattr(_local, "pinned", None)
    return pinned if pinned is not None else timezone.now()


@contextlib.contextmanager
def pinned(moment: datetime) -> Iterator[None]:
    """Make ``now()`` return ``moment`` inside the block (this thread only)."""
    previous = getattr(_local, "pinned", None)
    _local.pinned = moment
    try:
        yield
    finally:
        _local.pinned = previous
