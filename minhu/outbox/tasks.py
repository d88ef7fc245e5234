"""Outbox jobs (Huey): every minute, and right after a commit that queued deliveries."""

from django.db import connection
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task
from huey.exceptions import TaskLockedException

from .actions import deliver_due, purge_delivered

LOCK = "minhu-outbox-deliver"


def _deliver() -> int:
    # PostgreSQL workers share the work (SKIP LOCKED); on SQLite one sender at a time is
    # enough and keeps writers from fighting over the database lock.
    if connection.vendor == "postgresql":
        return deliver_due()
    try:
        with HUEY.lock_task(LOCK):
            return deliver_due()
    except TaskLockedException:
        return 0  # another worker is sending right now and will pick these up


@db_periodic_task(crontab(minute="*"))
def deliver_every_minute():
    """Retries whose back-off has run out, and anything a lost job left behind."""
    return _deliver()


@db_task()
def deliver_soon():
    """Queued on commit after new deliveries, so receivers hear within seconds."""
    return _deliver()


@db_periodic_task(crontab(minute="17", hour="3"))
def purge_old_deliveries():
    """Nightly: delivered rows older than the retention are removed."""
    return purge_delivered()
