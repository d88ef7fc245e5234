"""Background jobs for triage (Huey)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from .retrain import retrain_if_due


@db_periodic_task(crontab(hour="2", minute="30"))
@lock_task("minhu-triage-retrain")
def weekly_retrain():
    """Runs nightly and acts on the policy's weekday (TriagePolicy.retrain_weekday) when
    enough orders were decided; a version is activated only if not worse than the active
    one on the same held-out orders."""
    return retrain_if_due()
