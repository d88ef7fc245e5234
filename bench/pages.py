"""Server time of every web page with the demo city: each page as the role that uses it.

Builds the demo city with 3 months of history in MINHU_DATA_DIR (SQLite), or in the
PostgreSQL database named by DATABASE_URL, unless a city is already there; then asks
for each page 20 times through Django's test client in this process (no network, no
browser: the time Django takes from request to response, rendering included) and prints
a Markdown table for docs/benchmarks.md: median, p95 and the number of SQL queries.

    MINHU_DATA_DIR=bench/out/city3 python bench/pages.py
    createdb -h 127.0.0.1 -U postgres minhu_bench_pages
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/minhu_bench_pages python bench/pages.py

Options: --months (history to build, default 3), --repeat (default 20), --only PATTERN
(pages whose name contains it). Runs with DEBUG off, as in production.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from datetime import date

from _setup import ROOT, django_setup, machine, percentile

if os.environ.get("MINHU_DATA_DIR"):  # the same directory for the subprocesses
    os.environ["MINHU_DATA_DIR"] = os.path.abspath(os.environ["MINHU_DATA_DIR"])
os.environ.setdefault("MINHU_DEBUG", "0")
os.environ.setdefault("MINHU_HUEY_IMMEDIATE", "1")  # no worker: tasks run inline
LIMIT_MS = 300  # the bar: every page under 300 ms server time


def ensure_city(months: float) -> None:
    """Migrate, and build the demo city unless the database already has it."""
    minhu = [sys.executable, "-m", "minhu.cli"]
    subprocess.run([*minhu, "migrate", "-v0"], check=True, cwd=ROOT)
    django_setup()
    from minhu.org.models import Unit

    if Unit.objects.filter(code="DC").exists():
        return
    print(f"building the demo city ({months:g} months of history) …", file=sys.stderr)
    started = time.monotonic()
    subprocess.run([*minhu, "demo", "--months", str(months)], check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)
    print(f"built in {time.monotonic() - started:.0f} s", file=sys.stderr)


def sample_orders() -> dict:
    """Orders that make the heaviest pages: the longest time line, one waiting in the
    dispatcher's queue, one under return review, one awaiting a callback."""
    from django.db.models import Count

    from minhu.orders.models import WorkOrder

    def first(qs):
        row = qs.values_list("number", flat=True).first()
        return row or ""

    top = WorkOrder.objects.filter(parent__isnull=True)
    return {
        "longest": first(top.annotate(n=Count("events")).order_by("-n", "pk")),
        "queue": first(top.filter(state="registered").order_by("created_at")),
        "returned": first(top.filter(state="return_review").order_by("pk")),
        "replied": first(top.filter(state="replied").order_by("replied_at")),
        "phone": top.exclude(citizen_phone="").values("citizen_phone")
        .annotate(n=Count("pk")).order_by("-n").values_list("citizen_phone", flat=True)
        .first() or "",
    }


def busiest_unit_user() -> str:
    """The handler of the unit holding the most orders (the largest inbox)."""
    from django.db.models import Count

    from minhu.accounts.models import User
    from minhu.orders.models import Assignment

    unit = (Assignment.objects.values("unit").annotate(n=Count("pk")).order_by("-n")
            .values_list("unit", flat=True).first())
    user = User.objects.filter(unit_id=unit, username__endswith="_handler").first()
    return user.username if user else "cgj_handler"


def pages(orders: dict, big_unit: str) -> list[tuple[str, str, str]]:
    """(name, username, path) of every page and of the partials fetched while typing."""
    year = date.today().year
    rows = [
        ("home (leader)", "leader1", "/"),
        ("home (unit)", "dc01_handler", "/"),
        ("agent console", "agent1", "/agent/"),
        ("agent: caller lookup", "agent1", f"/agent/caller/?citizen_phone={orders['phone']}"),
        ("agent: address autocomplete", "agent1", "/agent/places/?address=翠苑"),
        ("agent: category search", "agent1", "/agent/categories/?category_q=油烟"),
        ("agent: open orders nearby", "agent1", "/agent/related/?community=DC0101"),
        ("dispatch desk", "dispatcher1", "/dispatch/"),
        ("dispatch desk + panel", "dispatcher1", f"/dispatch/?o={orders['queue']}"),
        ("dispatch: returns tab", "dispatcher1", "/dispatch/?tab=returns"),
        ("dispatch: unit search", "dispatcher1", "/dispatch/units/?uq=城市"),
        ("unit inbox (DC01)", "dc01_handler", "/inbox/"),
        ("unit inbox, handling (DC01)", "dc01_handler", "/inbox/?tab=handling"),
        (f"unit inbox, handling ({big_unit})", big_unit, "/inbox/?tab=handling"),
        ("supervisor board", "supervisor1", "/supervise/"),
        ("supervisor: supervised tab", "supervisor1", "/supervise/?tab=supervised"),
        ("callback desk", "callback1", "/callback/"),
        ("search: all orders", "leader1", "/orders/"),
        ("search: full text", "leader1", "/orders/?q=噪音"),
        ("search: evaluator (closed only)", "evaluator1", "/orders/"),
        ("order page (longest time line)", "dispatcher1", f"/orders/{orders['longest']}/"),
        ("notices", "dc01_handler", "/notices/"),
        ("admin index", "admin", "/admin/"),
        ("admin: units", "admin", "/admin/org/unit/"),
        ("admin: users", "admin", "/admin/accounts/user/"),
        ("admin: responsibility list", "admin", "/admin/catalog/responsibility/"),
        ("admin: holidays", "admin", f"/admin/workcal/calendarday/?year={year}"),
        ("admin: work orders", "admin", "/admin/orders/workorder/"),
    ]
    if orders["returned"]:
        rows.insert(9, ("dispatch: return panel", "dispatcher1",
                        f"/dispatch/?tab=returns&o={orders['returned']}"))
    if orders["replied"]:
        rows.append(("callback desk, one order", "callback1",
                     f"/callback/?order={orders['replied']}"))
    return rows


def measure(rows, repeat: int) -> list[dict]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from minhu.accounts.models import User

    clients = {}
    results = []
    for name, username, path in rows:
        if username not in clients:
            client = Client()
            client.force_login(User.objects.get(username=username))
            clients[username] = client
        client = clients[username]
        response = client.get(path)  # warm-up: caches, compiled templates, connection
        status = response.status_code
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        query_count = len(queries)  # now: each request empties the log it reads from
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            client.get(path)
            times.append((time.perf_counter() - started) * 1000)
        results.append({
            "name": name, "user": username, "path": path, "status": status,
            "median": statistics.median(times), "p95": percentile(times, 95),
            "queries": query_count,
        })
        print(f"  {name}: {statistics.median(times):.1f} ms", file=sys.stderr)
    return results


def city_summary() -> str:
    from django.db import connection

    from minhu.orders.models import WorkOrder

    first = WorkOrder.objects.order_by("created_at").values_list("created_at", flat=True).first()
    last = WorkOrder.objects.order_by("-created_at").values_list("created_at", flat=True).first()
    days = (last - first).days + 1 if first and last else 0
    vendor = {"postgresql": "PostgreSQL", "sqlite": "SQLite (WAL)"}.get(connection.vendor,
                                                                          connection.vendor)
    return f"{vendor}, {WorkOrder.objects.count():,} orders over {days} days"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--months", type=float, default=3)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--only", default="")
    args = parser.parse_args()

    ensure_city(args.months)
    rows = [r for r in pages(sample_orders(), busiest_unit_user()) if args.only in r[0]]
    results = measure(rows, args.repeat)

    print(f"\n{date.today():%Y-%m-%d} · {city_summary()} · {machine()} · "
          f"{args.repeat} requests per page after one warm-up\n")
    print("| page | as | path | median | p95 | queries | < 300 ms |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        ok = "yes" if r["p95"] < LIMIT_MS and r["status"] == 200 else "**no**"
        status = "" if r["status"] == 200 else f" (HTTP {r['status']})"
        print(f"| {r['name']}{status} | {r['user']} | `{r['path']}` | {r['median']:.1f} ms "
              f"| {r['p95']:.1f} ms | {r['queries']} | {ok} |")
    slow = [r["name"] for r in results if r["p95"] >= LIMIT_MS or r["status"] != 200]
    if slow:
        print(f"\nover {LIMIT_MS} ms or failed: {', '.join(slow)}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
