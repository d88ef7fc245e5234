"""Time duplicate detection (``find_duplicates`` and the work done at registration) on a
full table.

What matters for the candidate queries is how many orders share a day, a phone, a place
or a community, not the table's total: Beijing's 1.8 million orders in 30 days are 60,000
a day, so ``--orders 300000 --days 5`` gives the same density in a sixth of the fill time
(``--orders 1800000 --days 30`` for the full month). Use a scratch database:

    createdb -h 127.0.0.1 -U postgres minhu_bench_dedup
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/minhu_bench_dedup \
        python bench/dedup_find.py --orders 300000 --days 5
"""

import argparse
import random
import time

from _setup import django_setup, machine, percentile

django_setup()

from django.db import connection, transaction  # noqa: E402
from triage_city import build_city, fill_orders  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=300_000)
    parser.add_argument("--days", type=int, default=5)
    parser.add_argument("--samples", type=int, default=500)
    args = parser.parse_args()

    from minhu.dedup import detect
    from minhu.dedup.models import OrderSignature
    from minhu.orders.models import WorkOrder

    build_city()
    fill_orders(args.orders, args.days)
    t0 = time.perf_counter()
    written = detect.backfill(batch=5000, progress=lambda n: n % 50000 or print(f"  {n:,}"))
    if written:
        with connection.cursor() as cur:
            cur.execute("ANALYZE dedup_ordersignature")
        print(f"backfilled {written:,} signatures in {time.perf_counter() - t0:.0f} s")
    total = OrderSignature.objects.count()
    rng = random.Random(3)
    newest = WorkOrder.objects.order_by("-pk").values_list("pk", flat=True).first()
    picks = [rng.randint(max(1, newest - total + 1), newest) for _ in range(args.samples)]
    orders = list(WorkOrder.objects.filter(pk__in=picks).select_related("place", "category"))
    detect.find_duplicates(orders[0])  # warm the place names and connections

    found, hits = [], 0
    for order in orders:
        started = time.perf_counter()
        hints = detect.find_duplicates(order)
        found.append((time.perf_counter() - started) * 1000)
        hits += bool(hints)

    registering = []
    for order in orders[:200]:
        started = time.perf_counter()
        with transaction.atomic():
            sid = transaction.savepoint()
            OrderSignature.objects.filter(order_id=order.pk).delete()
            detect.record_registration(order)
            transaction.savepoint_rollback(sid)
        registering.append((time.perf_counter() - started) * 1000)

    print(f"{machine()}, {connection.vendor}, {total:,} signatures, "
          f"{args.orders:,} orders over {args.days} days")
    for name, values in (("find_duplicates", found), ("at registration", registering)):
        print(f"{name:>16}: p50 {percentile(values, 50):.1f} ms, p95 "
              f"{percentile(values, 95):.1f} ms, p99 {percentile(values, 99):.1f} ms "
              f"({len(values)} orders)")
    print(f"orders with at least one hint: {hits}/{len(orders)}")


if __name__ == "__main__":
    main()
