"""Time triage training on a city's worth of history, and weigh the model.

Makes ``--orders`` labelled requests from the demo's request templates filled with random
place names, numbers and noise (oldest first, as city training sees them), then runs the
production training (``train_bundle``: fit, calibrate on the newest 10 %, measure) and
reports the wall time, the process's peak memory, the model's size in memory and stored
(compressed), and the held-out accuracy. No database is needed for the training itself.

    python bench/triage_train.py --orders 1000000
"""

import argparse
import io
import random
import resource
import time

from _setup import django_setup, machine

django_setup()

import joblib  # noqa: E402
from triage_city import request_templates  # noqa: E402

from minhu.demo import texts as t  # noqa: E402
from minhu.triage.bundle import Row  # noqa: E402
from minhu.triage.coldstart import parent_map  # noqa: E402
from minhu.triage.training import size_of, train_bundle  # noqa: E402

NOISE = ("", "", "", "麻烦尽快处理。", "谢谢！", "已经反映过好几次了。", "请相关部门重视。",
         "急！", "希望给个答复。", "我是老住户了。", "电话打了好多次没人管。")


def make_rows(n: int, seed: int = 3) -> list[Row]:
    rng = random.Random(seed)
    templates = request_templates()
    weights = [w for *_, w in templates]
    rows = []
    for _ in range(n):
        code, kind, template, _w = rng.choices(templates, weights)[0]
        place = t.Place(district="东城区", street=rng.choice(("文昌街道", "锦绣街道", "朝阳街道")),
                        community=rng.choice(("文昌社区", "幸福社区", "新村社区")),
                        compound=rng.choice(("锦绣家园", "阳光花园", "翠湖苑", "金色华庭")),
                        building=f"{rng.randint(1, 30)}号楼", road=rng.choice(("人民路", "解放路")),
                        road2="建设路", landmark="中心广场")
        try:
            text = t.fill(template, t.Slots(rng, place))
        except (KeyError, IndexError, ValueError):
            text = template
        rows.append(Row(text=text + rng.choice(NOISE), l2=code, type=kind, urgency="normal"))
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=1_000_000)
    args = parser.parse_args()
    t0 = time.perf_counter()
    rows = make_rows(args.orders)
    made = time.perf_counter() - t0
    parent_of = parent_map()
    t0 = time.perf_counter()
    bundle, metrics = train_bundle(rows, holdout_by_time=True, parent_of=parent_of,
                                   progress=lambda m: print("  " + m, flush=True))
    trained = time.perf_counter() - t0
    buf = io.BytesIO()
    joblib.dump(bundle, buf, compress=3)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"machine: {machine()}")
    print(f"orders: {args.orders:,} (made in {made:.0f} s)")
    print(f"training (fit + calibrate + measure): {trained:.0f} s")
    print(f"model in memory: {size_of(bundle) / 2**20:.0f} MiB; stored: "
          f"{len(buf.getvalue()) / 2**20:.1f} MiB; process peak RSS {peak:.0f} MiB")
    cat = metrics.get("category", {})
    print(f"held-out category accuracy {cat.get('accuracy')}, macro-F1 {cat.get('macro_f1')}")


if __name__ == "__main__":
    main()
