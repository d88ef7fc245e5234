"""Huey jobs for citizen messages."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from . import delivery


@db_task()
def deliver_message(message_id: int):
    """Queued by ``outgoing.enqueue`` after the caller's transaction commits."""
    return delivery.deliver(message_id)


@db_periodic_task(crontab(minute="*"))
@lock_task("minhu-message-sweep")
def sweep_messages_every_minute():
    """Retries with back-off, and anything the immediate hand-off missed."""
    return delivery.sweep()
