"""Time the deadline sweep with a million open orders.

Fills the database (the one DATABASE_URL names; use a scratch database!) with N open,
dispatched orders by bulk insert — this measures the sweep, not intake — of which a small
share are due now, then times:

1. a sweep that has something to flag (yellow + overdue),
2. the same sweep again, with nothing left to flag (the steady state, every minute).

    createdb -h 127.0.0.1 -U postgres minhu_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/minhu_bench \
        python bench/sweep_million.py --orders 1000000 --due 5000
"""

import argparse
import random
import time
from datetime import timedelta

from _setup import django_setup, machine

django_setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from minhu.core import clock  # noqa: E402
from minhu.orders.actions import sweep_deadlines  # noqa: E402


def fill(n: int, due_now: int, batch: int = 20000) -> None:
    from minhu.catalog.models import RequestType, UrgencyTier
    from minhu.orders.models import WorkOrder
    from minhu.org.models import Unit

    centre = Unit.objects.filter(kind="centre").first() or Unit.objects.create(
        code="YZ12345", name="中心", kind="centre")
    lead = Unit.objects.filter(kind="street").first() or Unit.objects.create(
        code="B01", name="街道", kind="street", parent=centre)
    rtype = RequestType.objects.get(code="complaint")
    tier = UrgencyTier.objects.get(code="normal")
    now = clock.now()
    rng = random.Random(1)
    made = WorkOrder.objects.count()
    t0 = time.perf_counter()
    while made < n:
        rows = []
        for i in range(made, min(n, made + batch)):
            overdue_soon = i < due_now
            due = now - timedelta(minutes=5) if overdue_soon else now + timedelta(
                hours=rng.randint(30, 300))
            created = due - timedelta(days=7)
            rows.append(WorkOrder(
                number=f"BENCH{i:09d}", channel="phone", state="handling", content="bench",
                request_type=rtype, urgency=tier, dispatch_unit=centre, lead_unit=lead,
                created_at=created, updated_at=created, dispatched_at=created, due_at=due,
                yellow_at=created + (due - created) * 0.8))
        WorkOrder.objects.bulk_create(rows, batch_size=5000)
        made += len(rows)
        print(f"  {made:,} orders ({time.perf_counter() - t0:.0f} s)", flush=True)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")


def reset_flags(due_now: int) -> None:
    """Make the run repeatable: the first ``due_now`` orders are due again, unflagged."""
    from minhu.orders.models import WorkOrder

    WorkOrder.objects.filter(number__lt=f"BENCH{due_now:09d}").update(
        is_overdue=False, is_yellow=False)
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE orders_workorder" if connection.vendor == "postgresql"
                    else "ANALYZE")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=5000, help="orders that are due now")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    fill(args.orders, args.due)
    reset_flags(args.due)
    t = time.perf_counter()
    first = sweep_deadlines()
    t_first = time.perf_counter() - t
    t = time.perf_counter()
    second = sweep_deadlines()
    t_second = time.perf_counter() - t
    print(f"machine: {machine()}; database: {connection.vendor}")
    print(f"open orders: {args.orders:,}")
    print(f"sweep with work: {t_first:.2f} s  {first}")
    print(f"steady-state sweep (nothing to flag): {t_second * 1000:.1f} ms  {second}")


if __name__ == "__main__":
    main()
