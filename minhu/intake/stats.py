"""Volumes per channel: how much each way in brings, and how much of it was refused."""

from datetime import timedelta

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from minhu.core import clock
from minhu.orders.models import WorkOrder
from minhu.orders.states import Channel

from .models import RawIntake, RawStatus


def day_start(days_back: int = 0):
    today = timezone.localtime(clock.now()).replace(hour=0, minute=0, second=0, microsecond=0)
    return today - timedelta(days=days_back)


def channel_table(days: int = 7) -> list[dict]:
    """Per channel: orders registered today and over ``days`` days, and raw payloads
    refused or failed over the same days. Sub-orders are internal and left out."""
    since, today = day_start(days - 1), day_start()
    orders = WorkOrder.objects.filter(created_at__gte=since).exclude(
        channel=Channel.SUB_DISPATCH)
    week = dict(orders.values_list("channel").annotate(n=Count("pk")).order_by())
    day = dict(orders.filter(created_at__gte=today).values_list("channel")
               .annotate(n=Count("pk")).order_by())
    raws = RawIntake.objects.filter(received_at__gte=since)
    refused = dict(raws.filter(status=RawStatus.REJECTED).values_list("channel")
                   .annotate(n=Count("pk")).order_by())
    failed = dict(raws.filter(status=RawStatus.FAILED).values_list("channel")
                  .annotate(n=Count("pk")).order_by())
    rows = []
    for value, label in Channel.choices:
        if value == Channel.SUB_DISPATCH:
            continue
        rows.append({"channel": value, "label": label, "today": day.get(value, 0),
                     "week": week.get(value, 0), "refused": refused.get(value, 0),
                     "failed": failed.get(value, 0)})
    return rows


def daily_series(days: int = 14) -> dict:
    """Orders per day per channel for the stacked chart (channels with no orders dropped)."""
    since = day_start(days - 1)
    counts = (
        WorkOrder.objects.filter(created_at__gte=since).exclude(channel=Channel.SUB_DISPATCH)
        .annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .values_list("day", "channel").annotate(n=Count("pk")).order_by()
    )
    dates = [(since + timedelta(days=i)).date() for i in range(days)]
    grid: dict[str, dict] = {}
    for day, channel, n in counts:
        grid.setdefault(channel, {})[day] = n
    series = [{"name": str(Channel.label_of(ch)),
               "data": [grid[ch].get(d, 0) for d in dates]}
              for ch in Channel.values if ch in grid]
    return {"days": [d.strftime("%m-%d") for d in dates], "series": series}
