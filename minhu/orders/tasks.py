"""Background jobs for orders (Huey). Periodic tasks run on the consumer started with
periodic tasks enabled (see the operator guide)."""

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from minhu.catalog.models import PlatformSettings
from minhu.core import clock

from .actions import send_daily_reminders, sweep_deadlines


@db_periodic_task(crontab(minute="*"))
@lock_task("minhu-sweep-deadlines")
def sweep_deadlines_every_minute():
    """Yellow / overdue / late-signature flags. The lock keeps two consumers from
    sweeping at once; the sweep itself is idempotent either way."""
    return sweep_deadlines()


@db_periodic_task(crontab(minute="0"))
@lock_task("minhu-daily-reminders")
def daily_reminders():
    """Runs hourly and acts at the configured hour; the per-unit, per-day notice key makes
    a repeated run harmless."""
    if timezone.localtime(clock.now()).hour != PlatformSettings.current().reminder_hour:
        return 0
    return send_daily_reminders()
