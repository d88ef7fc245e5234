"""Time a full triage suggestion (classify + place + route + duplicate check) with a
Beijing-volume 30-day window of orders in the database.

Fills the database DATABASE_URL names (use a scratch database!) with the demo city and
``--orders`` orders over the last 30 days (bench/triage_city.py), writes the duplicate
detector's per-order signatures and the routing statistics the way the periodic jobs do
(both timed), then times ``suggest()`` for ``--samples`` orders of the last day, each part
on its own as well. Re-running reuses what is already there.

    createdb -h 127.0.0.1 -U postgres minhu_bench_triage
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/minhu_bench_triage \
        python bench/triage_suggest.py --orders 1800000 --samples 500
"""

import argparse
import random
import time
from datetime import timedelta

from _setup import django_setup, machine, percentile

django_setup()

from django.db import connection  # noqa: E402
from triage_city import build_city, fill_orders  # noqa: E402


def timed(fn, *args):
    t = time.perf_counter()
    out = fn(*args)
    return out, (time.perf_counter() - t) * 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=1_800_000)
    parser.add_argument("--samples", type=int, default=500)
    args = parser.parse_args()

    from minhu.core import clock
    from minhu.dedup.detect import find_duplicates
    from minhu.geo.resolve import resolve_place
    from minhu.orders.models import WorkOrder
    from minhu.triage import stats
    from minhu.triage.classify import classify
    from minhu.triage.suggest import suggest

    build_city()
    fill_orders(args.orders, progress=lambda m: print(m, flush=True))
    from minhu.dedup.detect import backfill

    made, took = timed(backfill, None)
    took /= 1000
    if made:
        print(f"duplicate signatures: {made:,} in {took:.0f} s")
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    _, took = timed(stats.rebuild)
    print(f"routing statistics rebuilt in {took / 1000:.1f} s")

    since = clock.now() - timedelta(days=1)
    pks = list(WorkOrder.objects.filter(created_at__gte=since).values_list("pk", flat=True)[:20000])
    rng = random.Random(5)
    sample = rng.sample(pks, min(args.samples, len(pks)))
    # Warm: model, gazetteer and caches load once per process.
    first = WorkOrder.objects.get(pk=sample[0])
    _, warm = timed(suggest, first)
    print(f"first suggestion (loads model, gazetteer, caches): {warm:.0f} ms")
    parts = {"full": [], "classify": [], "place": [], "duplicates": []}
    for pk in sample:
        order = WorkOrder.objects.select_related("category", "place").get(pk=pk)
        _, ms = timed(suggest, order)
        parts["full"].append(ms)
        parts["classify"].append(timed(classify, order.content, order.title)[1])
        parts["place"].append(timed(resolve_place, order.address, order.content,
                                    order.lat, order.lng)[1])
        parts["duplicates"].append(timed(find_duplicates, order)[1])
    total = WorkOrder.objects.count()
    window = WorkOrder.objects.filter(created_at__gte=clock.now() - timedelta(days=30)).count()
    print(f"machine: {machine()}; database: {connection.vendor}")
    print(f"orders in the table: {total:,}; in the last 30 days: {window:,}")
    for name, values in parts.items():
        p50, p95 = percentile(values, 50), percentile(values, 95)
        print(f"{name:>10}: p50 {p50:.1f} ms  p95 {p95:.1f} ms  max {max(values):.1f} ms"
              f"  (n={len(values)})")


if __name__ == "__main__":
    main()
