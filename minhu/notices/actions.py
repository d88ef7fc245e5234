from django.db import IntegrityError, transaction

from minhu.core import clock

from .models import Notice


def send_notice(*, unit_id=None, user_id=None, kind: str, text: str, order_id=None,
                key: str | None = None) -> Notice | None:
    """Put a notice in an inbox. With ``key``, a second send of the same notice is a no-op
    (retried jobs and repeated sweeps never notify twice)."""
    if key and Notice.objects.filter(key=key).exists():
        return None
    try:
        with transaction.atomic():
            return Notice.objects.create(unit_id=unit_id, user_id=user_id, kind=kind,
                                         text=text[:500], order_id=order_id, key=key,
                                         created_at=clock.now())
    except IntegrityError:
        return None


def send_citizen_result(order_id: int, round: int = 0) -> None:
    """Tell a merged order's citizen the master's result: a notice kept against the order
    and an SMS to the citizen (once per result: a reopened master that closes again tells
    them again)."""
    from minhu.orders.models import WorkOrder

    from .citizens import sms_citizen

    order = (WorkOrder.objects.filter(pk=order_id)
             .only("number", "citizen_phone", "is_anonymous", "is_confidential").first())
    if order is None:
        return
    send_notice(kind="citizen_result", order_id=order_id,
                key=f"citizen_result:{order_id}:{round}",
                text=f"您反映的问题（{order.number}）已随同类诉求一并办结，可查询办理结果")
    sms_citizen(order, "citizen_result", {"number": order.number},
                key=f"citizen_result:{order_id}:{round}")


def save_template(actor, template, changed: list[str], *, ip: str | None = None) -> None:
    """Save an operator's edit of a message template, with an audit entry naming the
    fields (the wording citizens receive is a public statement of the city)."""
    from minhu.audit.actions import record

    template.updated_at = clock.now()
    template.updated_by = actor if getattr(actor, "pk", None) else None
    with transaction.atomic():
        template.save()
        record(actor, "message_template_changed", template, fields=",".join(changed)[:200],
               via="admin", ip=ip)


def resend_message(actor, message, *, ip: str | None = None) -> bool:
    """Queue a message again (staff decision after a failure or a lost SMS), audited.
    False when it is already waiting to go."""
    from minhu.audit.actions import record

    from .models import MessageStatus, OutgoingMessage
    from .outgoing import enqueue

    with transaction.atomic():
        updated = OutgoingMessage.objects.filter(pk=message.pk).exclude(
            status=MessageStatus.QUEUED).update(status=MessageStatus.QUEUED, attempts=0,
                                                next_attempt_at=clock.now())
        if not updated:
            return False
        record(actor, "message_resent", message, via="admin", ip=ip)
        transaction.on_commit(lambda: enqueue(message.pk), robust=True)
    return True
