"""How the exchange is doing: the province endpoint, what waits to go up, what failed."""

from django.db.models import Count, Max, Min, Q
from django.utils.translation import gettext_lazy as _

from minhu.outbox.models import Delivery, DeliveryStatus

from . import conf

LABELS = {
    "unconfigured": _("未设置推送地址"),
    "paused": _("推送已暂停"),
    "ok": _("正常"),
    "failing": _("省级平台暂时无法送达，正在重试"),
    "dead": _("有推送已停止重试，需人工处理"),
}


def province_deliveries():
    return Delivery.objects.filter(endpoint__code=conf.ENDPOINT_CODE)


def exchange_health() -> dict:
    from minhu.outbox.models import Endpoint

    endpoint = Endpoint.objects.filter(code=conf.ENDPOINT_CODE).first()
    stats = province_deliveries().aggregate(
        pending=Count("pk", filter=Q(status=DeliveryStatus.PENDING)),
        failing=Count("pk", filter=Q(status=DeliveryStatus.PENDING, attempts__gt=0)),
        dead=Count("pk", filter=Q(status=DeliveryStatus.DEAD)),
        delivered=Count("pk", filter=Q(status=DeliveryStatus.DELIVERED)),
        oldest_pending=Min("created_at", filter=Q(status=DeliveryStatus.PENDING)),
        last_delivered=Max("delivered_at"),
    )
    last_failed = (province_deliveries().filter(status=DeliveryStatus.PENDING, attempts__gt=0)
                   .order_by("-attempts", "pk").first())
    if endpoint is None:
        state = "unconfigured"
    elif stats["dead"]:
        state = "dead"
    elif stats["failing"]:
        state = "failing"
    elif not endpoint.is_active:
        state = "paused"
    else:
        state = "ok"
    return {
        **stats, "endpoint": endpoint, "state": state, "label": str(LABELS[state]),
        # Reachable as far as we know: nothing waiting behind a failed attempt.
        "reachable": None if endpoint is None else not stats["failing"],
        "last_error": last_failed.last_error if last_failed else "",
        "next_attempt_at": last_failed.next_attempt_at if last_failed else None,
    }
