"""Order creation through the partner API: the sustained rate, then a burst at 10× it.

Starts ``minhu serve`` (waitress + worker) on a scratch data directory with the database
named by DATABASE_URL (PostgreSQL for the figures in docs/benchmarks.md), adds a partner
``bench-wx`` (WeChat mini program) and issues its key, then:

1. **sustained**: ``--threads`` clients post ``--orders`` requests back to back (each
   client waits for its answer before sending the next); the rate they reach is the
   sustained create rate;
2. **burst**: requests are *scheduled* at 10× that rate for ``--burst-seconds`` (open
   loop: a request is due at its time whether or not earlier ones were answered), one in
   ``--dup-every`` sent a second time at once under the same partner id (a client retrying
   on a slow answer). Latency counts from the scheduled time, so waiting in a queue shows;
3. anything that failed in the burst (error, timeout) is sent again afterwards, the way a
   partner retries, and the database is counted: one order per partner id, none lost,
   none twice.

With ``--webhook`` the partner also has a status webhook served by this script; the run
ends when every registration update has arrived (or after ``--webhook-wait`` seconds).

    createdb -h 127.0.0.1 -U postgres minhu_bench_partners
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/minhu_bench_partners \\
        python bench/partner_create.py --orders 1000 --threads 8
"""

import argparse
import json
import os
import queue
import random
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from _setup import ROOT, free_port, machine, percentile

PARTNER = "bench-wx"
CONTENTS = [
    "{place}楼下路灯坏了一个多星期，晚上出门很不安全",
    "{place}附近工地夜里十一点后还在施工，噪音太大睡不着",
    "{place}小区门口的下水道堵了，污水漫到路面上 😣",
    "想咨询一下{place}这边孩子上小学怎么划片",
    "{place}的垃圾桶三天没人清理，味道很大",
]


def minhu(env, code: str) -> str:
    out = subprocess.run([sys.executable, "-m", "minhu.cli", "shell", "-c", code], env=env,
                         check=True, cwd=ROOT, capture_output=True, text=True)
    return out.stdout.strip()


def prepare(env, webhook_url: str) -> str:
    """Migrate, build the city's map and people, add the partner; returns a fresh key."""
    subprocess.run([sys.executable, "-m", "minhu.cli", "migrate", "-v0"], env=env, check=True,
                   cwd=ROOT, stdout=subprocess.DEVNULL)
    code = (
        "import random\n"
        "from minhu.demo.geography import build_geography\n"
        "from minhu.demo.people import build_people\n"
        "from minhu.demo.duties import build_responsibility_list\n"
        "from minhu.org.models import Unit\n"
        "if not Unit.objects.filter(code='DC').exists():\n"
        "    g = build_geography(random.Random(1)); build_people(g)\n"
        "    build_responsibility_list(g)\n"
        "from minhu.partners.actions import add_partner, issue_key, set_webhook\n"
        "from minhu.partners.models import Partner\n"
        f"p = Partner.objects.filter(code={PARTNER!r}).first()\n"
        f"p = p or add_partner({PARTNER!r}, '压测小程序', 'wechat')[0]\n"
        f"url = {webhook_url!r}\n"
        "if url: set_webhook(p, url)\n"
        "elif p.endpoint: p.endpoint.is_active = False; p.endpoint.save()\n"
        "print(issue_key(p, 'bench')[1])\n"
    )
    return minhu(env, code).splitlines()[-1]


def body(rng, their_id: str) -> bytes:
    place = rng.choice(["锦绣家园", "翠苑小区", "阳光花园", "滨江一号"])
    return json.dumps({
        "partner_id": their_id, "content": rng.choice(CONTENTS).format(place=place),
        "request_type": rng.choice(["complaint", "help", "consult"]), "citizen_name": "测试",
        "citizen_phone": f"139{rng.randint(0, 99999999):08d}", "community": "DC0101",
    }, ensure_ascii=False).encode()


class Client:
    def __init__(self, url, key, timeout):
        self.url, self.key, self.timeout = url, key, timeout

    def post(self, data: bytes) -> tuple[int | str, float]:
        """(status or error name, seconds)."""
        req = urllib.request.Request(self.url, data=data, method="POST", headers={
            "Authorization": f"Bearer {self.key}", "Content-Type": "application/json"})
        t = time.perf_counter()
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                resp.read()
                status = resp.status
        except urllib.error.HTTPError as exc:
            exc.read()
            status = exc.code
        except (OSError, urllib.error.URLError) as exc:
            status = type(exc).__name__
        return status, time.perf_counter() - t


def report(label, latencies, wall, statuses) -> float:
    ms = [x * 1000 for x in latencies]
    rate = len(ms) / wall
    counts = {}
    for s in statuses:
        counts[s] = counts.get(s, 0) + 1
    print(f"{label}: n={len(ms)} in {wall:.1f} s = {rate:.1f}/s; "
          f"median={percentile(ms, 50):.0f} ms p95={percentile(ms, 95):.0f} ms "
          f"max={max(ms):.0f} ms; answers {counts}")
    return rate


def sustained(client, run, n, threads):
    lat, statuses, lock = [], [], threading.Lock()

    def work(k, seed):
        rng = random.Random(seed)
        for i in range(k):
            status, seconds = client.post(body(rng, f"{run}-s{seed}-{i}"))
            with lock:
                lat.append(seconds)
                statuses.append(status)

    per = n // threads
    pool = [threading.Thread(target=work, args=(per, t)) for t in range(threads)]
    t = time.perf_counter()
    for th in pool:
        th.start()
    for th in pool:
        th.join()
    return report(f"sustained, {threads} clients", lat, time.perf_counter() - t, statuses)


def burst(client, run, rate, seconds, workers, dup_every):
    """Open loop: request i is due at i / rate; returns results and the ids sent."""
    rng = random.Random(11)
    total = int(rate * seconds)
    plan = []
    for i in range(total):
        their_id = f"{run}-b{i}"
        data = body(rng, their_id)
        plan.append((i / rate, their_id, data))
        if dup_every and i % dup_every == 0:
            plan.append((i / rate, their_id, data))
    jobs: queue.Queue = queue.Queue()
    results, lock = [], threading.Lock()

    def work():
        while True:
            item = jobs.get()
            if item is None:
                return
            due, their_id, data = item
            status, _ = client.post(data)
            done = time.perf_counter()
            with lock:
                results.append((their_id, data, status, done - due))

    pool = [threading.Thread(target=work, daemon=True) for _ in range(workers)]
    for th in pool:
        th.start()
    start = time.perf_counter()
    for offset, their_id, data in plan:
        delay = start + offset - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        jobs.put((start + offset, their_id, data))
    sent_by = time.perf_counter() - start
    for _ in pool:
        jobs.put(None)
    for th in pool:
        th.join()
    wall = time.perf_counter() - start
    print(f"burst plan: {len(plan)} requests ({total} ids + {len(plan) - total} duplicates) "
          f"at {rate:.0f}/s over {seconds} s; all sent by {sent_by:.1f} s, "
          f"last answer at {wall:.1f} s")
    report("burst (latency from scheduled time)", [r[3] for r in results], wall,
           [r[2] for r in results])
    return results, {p[1] for p in plan}


def retry_failures(client, results):
    """A partner retries what failed; the same id must never make a second order."""
    failed = {their_id: data for their_id, data, status, _ in results
              if status not in (200, 201)}
    answers = {}
    for _their_id, data in failed.items():
        status = None
        for _ in range(5):
            status, _ = client.post(data)
            if status in (200, 201):
                break
            time.sleep(1)
        answers[status] = answers.get(status, 0) + 1
    print(f"retried {len(failed)} failed requests after the burst: {answers or 'none needed'}")


def count(env, run) -> dict:
    code = (
        "import json\n"
        "from django.db.models import Count\n"
        "from minhu.intake.models import RawIntake\n"
        "from minhu.orders.models import ExternalRef, WorkOrder\n"
        "from minhu.partners.models import PartnerRequest\n"
        f"prefix = {PARTNER + ':' + run + '-'!r}\n"
        "refs = ExternalRef.objects.filter(external_id__startswith=prefix)\n"
        f"raws = RawIntake.objects.filter(source={PARTNER!r}, external_id__startswith={run!r})\n"
        "print(json.dumps({\n"
        "  'orders': WorkOrder.objects.filter(external_refs__in=refs).distinct().count(),\n"
        "  'external_refs': refs.count(),\n"
        "  'distinct_ids': refs.values('external_id').distinct().count(),\n"
        f"  'partner_requests': PartnerRequest.objects.filter(their_id__startswith={run!r})"
        ".count(),\n"
        "  'raw': dict(raws.values_list('status').annotate(n=Count('id'))),\n"
        "}))\n"
    )
    return json.loads(minhu(env, code).splitlines()[-1])


class Hooks:
    def __init__(self):
        self.seen: dict[str, int] = {}
        self.lock = threading.Lock()
        hooks = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                data = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with hooks.lock:
                    key = f"{data['partner_id']}#{data['seq']}"
                    hooks.seen[key] = hooks.seen.get(key, 0) + 1
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/minhu"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=1000, help="sustained phase requests")
    parser.add_argument("--threads", type=int, default=8, help="sustained phase clients")
    parser.add_argument("--burst-seconds", type=float, default=5)
    parser.add_argument("--burst-factor", type=float, default=10)
    parser.add_argument("--burst-workers", type=int, default=64,
                        help="client connections open at once during the burst")
    parser.add_argument("--dup-every", type=int, default=10,
                        help="every n-th burst request is sent twice at once (0: never)")
    parser.add_argument("--timeout", type=float, default=30, help="client timeout, seconds")
    parser.add_argument("--server-threads", type=int, default=8)
    parser.add_argument("--webhook", action="store_true")
    parser.add_argument("--webhook-wait", type=float, default=300)
    args = parser.parse_args()
    env = dict(os.environ, MINHU_DATA_DIR=tempfile.mkdtemp(prefix="minhu-bench-"),
               MINHU_DEBUG="0", MINHU_LOG_LEVEL="ERROR")
    hooks = Hooks() if args.webhook else None
    key = prepare(env, hooks.url if hooks else "")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "minhu.cli", "serve", "--port", str(port),
         "--threads", str(args.server_threads)],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = Client(f"http://127.0.0.1:{port}/api/v1/partner/requests", key, args.timeout)
    run = "r" + uuid.uuid4().hex[:8]
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/admin/login/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        warm = random.Random(3)
        for i in range(20):
            client.post(body(warm, f"{run}-w{i}"))
        rate = sustained(client, run, args.orders, args.threads)
        results, ids = burst(client, run, rate * args.burst_factor, args.burst_seconds,
                             args.burst_workers, args.dup_every)
        retry_failures(client, results)
        expected = 20 + (args.orders // args.threads) * args.threads + len(ids)
        counted = count(env, run)
        print(f"counted: {counted}; expected orders {expected}")
        ok = (counted["orders"] == counted["external_refs"] == counted["distinct_ids"]
              == counted["partner_requests"] == expected)
        print("nothing lost, no duplicates" if ok else "MISMATCH: see the counts above")
        if hooks:
            t = time.perf_counter()
            while time.perf_counter() - t < args.webhook_wait:
                with hooks.lock:
                    arrived = sum(1 for k in hooks.seen if k.endswith("#1"))
                if arrived >= expected:
                    break
                time.sleep(1)
            with hooks.lock:
                twice = sum(1 for n in hooks.seen.values() if n > 1)
            print(f"webhook: {arrived}/{expected} registration updates arrived "
                  f"{time.perf_counter() - t:.0f} s after the last request; "
                  f"{twice} arrived more than once")
        db = "PostgreSQL" if "postgres" in os.environ.get("DATABASE_URL", "") else "SQLite"
        print(f"machine: {machine()}; database: {db}; server: minhu serve "
              f"(waitress, {args.server_threads} threads)")
    finally:
        server.terminate()
        server.wait(60)


if __name__ == "__main__":
    main()
