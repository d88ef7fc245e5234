"""Reading the outbox for people: each endpoint's health and the deliveries that need a
look (dead, or still failing after several attempts)."""

from django.db.models import Count, Max, Min, Q

from minhu.core import clock

from .models import Delivery, DeliveryStatus, Endpoint

# Pending deliveries that failed this often are shown next to the dead ones.
LONG_FAILING_ATTEMPTS = 3


def endpoint_health() -> list[dict]:
    now = clock.now()
    rows = Endpoint.objects.annotate(
        pending=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.PENDING)),
        dead=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.DEAD)),
        failing=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.PENDING,
                                             deliveries__attempts__gt=0)),
        oldest=Min("deliveries__created_at",
                   filter=Q(deliveries__status=DeliveryStatus.PENDING)),
        last_success=Max("deliveries__delivered_at"),
    ).order_by("kind", "code")
    result = []
    for e in rows:
        result.append({
            "endpoint": e, "pending": e.pending, "dead": e.dead, "failing": e.failing,
            "oldest": e.oldest, "oldest_age": (now - e.oldest) if e.oldest else None,
            "last_success": e.last_success,
            "ok": e.is_active and e.dead == 0 and e.failing == 0,
        })
    return result


def troubled(endpoint: Endpoint | None = None):
    qs = Delivery.objects.filter(
        Q(status=DeliveryStatus.DEAD)
        | Q(status=DeliveryStatus.PENDING, attempts__gte=LONG_FAILING_ATTEMPTS))
    if endpoint is not None:
        qs = qs.filter(endpoint=endpoint)
    return qs.select_related("endpoint", "order").order_by("endpoint__code", "order_id", "seq")
