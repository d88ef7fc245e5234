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
    """Tell a merged order's citizen the master's result. SMS delivery arrives with the
    channels issue; until then the notice is kept against the order."""
    from minhu.orders.models import WorkOrder

    order = WorkOrder.objects.filter(pk=order_id).only("number", "master__number").first()
    if order is None:
        return
    # One notice per result: a reopened master that closes again tells them again.
    send_notice(kind="citizen_result", order_id=order_id,
                key=f"citizen_result:{order_id}:{round}",
                text=f"您反映的问题（{order.number}）已随同类诉求一并办结，可查询办理结果")
