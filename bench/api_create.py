"""Latency of order creation through the HTTP API, end to end.

Starts ``minhu serve`` (waitress + worker) on a scratch data directory — SQLite by
default, or the PostgreSQL database named by DATABASE_URL — with the demo city's map and
people (no history), issues an API token for agent1 and posts N orders one after another,
then N more from several client threads at once. Prints median, p95 and throughput.

    python bench/api_create.py --orders 2000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/minhu_bench_api \\
        python bench/api_create.py --orders 2000
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid

from _setup import ROOT, free_port, machine, percentile

CONTENTS = [
    "{place}楼下路灯坏了一个多星期，晚上出门很不安全",
    "{place}附近工地夜里十一点后还在施工，噪音太大睡不着",
    "{place}小区门口的下水道堵了，污水漫到路面上",
    "想咨询一下{place}这边孩子上小学怎么划片",
    "{place}的垃圾桶三天没人清理，味道很大",
]


def run(cmd, env):
    subprocess.run(cmd, env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)


def prepare(env) -> str:
    """Migrate, build the city's map and people, return a fresh token for agent1."""
    minhu = [sys.executable, "-m", "minhu.cli"]
    run([*minhu, "migrate", "-v0"], env)
    code = (
        "import random\n"
        "from minhu.demo.geography import build_geography\n"
        "from minhu.demo.people import build_people\n"
        "from minhu.demo.duties import build_responsibility_list\n"
        "from minhu.org.models import Unit\n"
        "if not Unit.objects.filter(code='DC').exists():\n"
        "    g = build_geography(random.Random(1)); build_people(g)\n"
        "    build_responsibility_list(g)\n"
        "from minhu.accounts.models import ApiToken, User\n"
        "print(ApiToken.objects.issue(User.objects.get(username='agent1'), 'bench')[1])\n"
    )
    out = subprocess.run([*minhu, "shell", "-c", code], env=env, check=True, cwd=ROOT,
                         capture_output=True, text=True)
    return out.stdout.strip().splitlines()[-1]


def post(url, token, body) -> float:
    data = json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method="POST", headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json",
        "Idempotency-Key": str(uuid.uuid4())})
    t = time.perf_counter()
    with urllib.request.urlopen(req, timeout=30) as resp:
        resp.read()
        if resp.status not in (200, 201):
            raise RuntimeError(resp.status)
    return time.perf_counter() - t


def body(rng) -> dict:
    place = rng.choice(["锦绣家园", "翠苑小区", "阳光花园", "滨江一号"])
    return {"content": rng.choice(CONTENTS).format(place=place),
            "request_type": rng.choice(["complaint", "help", "consult"]),
            "citizen_name": "测试", "citizen_phone": f"139{rng.randint(0, 99999999):08d}",
            "community": "DC0101", "channel": "phone"}


def report(label, latencies, wall):
    ms = [x * 1000 for x in latencies]
    print(f"{label}: n={len(ms)} median={percentile(ms, 50):.1f} ms "
          f"p95={percentile(ms, 95):.1f} ms max={max(ms):.1f} ms "
          f"throughput={len(ms) / wall:.0f}/s")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    env = dict(os.environ, MINHU_DATA_DIR=tempfile.mkdtemp(prefix="minhu-bench-"),
               MINHU_DEBUG="0", MINHU_LOG_LEVEL="ERROR")
    token = prepare(env)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "minhu.cli", "serve", "--port", str(port)],
                              env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/api/v1/orders"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/admin/login/", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        rng = random.Random(7)
        for _ in range(20):  # warm-up
            post(url, token, body(rng))
        t = time.perf_counter()
        seq = [post(url, token, body(rng)) for _ in range(args.orders)]
        report("sequential", seq, time.perf_counter() - t)
        lat: list[float] = []
        lock = threading.Lock()

        def client(n, seed):
            r = random.Random(seed)
            mine = [post(url, token, body(r)) for _ in range(n)]
            with lock:
                lat.extend(mine)

        per = args.orders // args.threads
        threads = [threading.Thread(target=client, args=(per, i)) for i in range(args.threads)]
        t = time.perf_counter()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        report(f"{args.threads} concurrent clients", lat, time.perf_counter() - t)
        db = "PostgreSQL" if "postgres" in os.environ.get("DATABASE_URL", "") else "SQLite"
        print(f"machine: {machine()}; database: {db}; server: minhu serve (waitress)")
    finally:
        server.terminate()
        server.wait(30)


if __name__ == "__main__":
    main()
