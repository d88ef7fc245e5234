"""Time place resolution (``resolve_place``) on a city of Beijing's size.

Creates a synthetic city in a throwaway database: 16 districts, ~330 streets, 7,000
communities with 3 grids each (square boundaries for all of them), and 100,000 named places
(compounds, roads, landmarks; names drawn with repeats, so many are ambiguous), optionally
with buildings. Then measures the gazetteer's build time and memory, the boundary index's
load time, and the latency of ``resolve_place`` over a mix of requests (full names with
buildings, colloquial and bare forms, content-only mentions, coordinates only, names with
coordinates).

Without DATABASE_URL the bench makes its own SQLite database in a temporary directory. With
DATABASE_URL it must name a scratch database holding no units yet (it is filled, not
cleaned):

    createdb -h 127.0.0.1 -U postgres minhu_bench_place
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/minhu_bench_place \\
        python bench/place_resolve.py --communities 7000 --places 100000
"""

import argparse
import os
import random
import sys
import tempfile
import time

if not os.environ.get("DATABASE_URL"):
    os.environ["MINHU_DATA_DIR"] = tempfile.mkdtemp(prefix="minhu-bench-place-")

from _setup import django_setup, machine, percentile  # noqa: E402

django_setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

FIRST = "安宝北碧长朝晨春翠大德东方丰凤福富高光广国海和恒红宏华欢嘉建金锦京精景康乐丽利龙美" \
        "明南宁平青清庆荣瑞润森山胜盛世双顺松泰天田通万文西祥新星兴秀旭阳怡颐银永玉元远悦云中紫"
SECOND = "苑园林湾溪桥坊里湖庄塘城岸畔亭河山峰泉源谷台阁庭轩居府"
SUFFIXES = ("家园", "花园", "小区", "公寓", "华庭", "名苑", "新村", "雅苑", "嘉园", "府", "公馆",
            "佳苑", "城", "里", "大院", "北里", "南里", "东区", "西区")
ROAD_TYPES = ("路", "街", "大街", "胡同", "大道", "巷")
LANDMARKS = ("公园", "小学", "中学", "医院", "农贸市场", "地铁站", "体育馆", "文化广场", "派出所",
             "邮局", "商场", "图书馆")
PROBLEMS = ("楼下烧烤油烟扰民", "路灯不亮", "垃圾没人清运", "电梯故障", "消防通道被占",
            "下水道堵塞", "施工噪音扰民", "占道经营")


def fill(n_communities: int, n_places: int, buildings_per_compound: int,
         rng: random.Random) -> dict:
    from shapely.geometry import box, mapping

    from minhu.geo.models import Boundary
    from minhu.org.models import Place, Unit

    if Unit.objects.filter(kind__in=["district", "street", "community", "grid"]).exists():
        sys.exit("这个数据库里已经有辖区单位：请用一个新建的临时数据库")
    t0 = time.perf_counter()
    centre = Unit.objects.create(code="BENCH", name="基准测试中心", kind="centre")
    n_districts = 16
    streets_per_district = max(1, round(n_communities / 21 / n_districts))
    communities_per_street = max(1, round(n_communities / n_districts / streets_per_district))
    # A lattice: each community a 0.01° square, streets and districts rows of them.
    side = int(communities_per_street ** 0.5) + 1
    units, boundaries = [], []
    districts, streets, communities, grids = [], [], [], []

    def unit(code, name, kind, parent, lat, lng, short=""):
        path = parent.path + code + "/"
        u = Unit(code=code, name=name, kind=kind, parent=parent, path=path,
                 depth=path.count("/") - 2, lat=lat, lng=lng, short_name=short)
        units.append(u)
        return u

    names_used = set()

    def root(pool_first=FIRST, pool_second=SECOND):
        for _ in range(100):
            r = rng.choice(pool_first) + rng.choice(pool_second)
            if r not in names_used:
                names_used.add(r)
                return r
        return rng.choice(pool_first) + rng.choice(pool_second) + rng.choice(pool_second)

    cell = 0.01
    for d in range(n_districts):
        dlat, dlng = 39.5 + (d // 4) * 0.5, 116.0 + (d % 4) * 0.5
        district = unit(f"B{d:02d}", root() + "区", "district", centre, dlat, dlng)
        districts.append(district)
        for s in range(streets_per_district):
            slat, slng = dlat + (s // 5) * side * cell, dlng + (s % 5) * side * cell
            street = unit(f"{district.code}{s:02d}", root() + "街道", "street", district,
                          slat, slng)
            streets.append(street)
            for c in range(communities_per_street):
                if len(communities) >= n_communities:
                    break
                clat = slat + (c // side) * cell + cell / 2
                clng = slng + (c % side) * cell + cell / 2
                short = root()
                community = unit(f"{street.code}{c:03d}", short + "社区", "community", street,
                                 clat, clng, short)
                communities.append(community)
                boundaries.append((community, box(clng - cell / 2, clat - cell / 2,
                                                  clng + cell / 2, clat + cell / 2)))
                for g in range(3):
                    glng = clng - cell / 2 + (g + 0.5) * cell / 3
                    grid = unit(f"{community.code}{g + 1:02d}", f"{community.name}第{g + 1}网格",
                                "grid", community, clat, glng)
                    grids.append(grid)
                    boundaries.append((grid, box(clng - cell / 2 + g * cell / 3, clat - cell / 2,
                                                 clng - cell / 2 + (g + 1) * cell / 3,
                                                 clat + cell / 2)))
    for level in (districts, streets, communities, grids):
        Unit.objects.bulk_create(level, batch_size=5000)
    import json

    Boundary.objects.bulk_create(
        [Boundary(unit=u, geojson=json.dumps(mapping(g))) for u, g in boundaries],
        batch_size=5000)
    grids_of = {}
    for g in grids:
        grids_of.setdefault(g.parent_id, []).append(g)

    places, compounds = [], []
    n_compounds, n_roads = int(n_places * 0.7), int(n_places * 0.1)
    n_landmarks = n_places - n_compounds - n_roads
    for kind, count in (("compound", n_compounds), ("road", n_roads),
                        ("landmark", n_landmarks)):
        for _ in range(count):
            community = rng.choice(communities)
            prefix = rng.choice(FIRST) + rng.choice(FIRST + SECOND)
            if kind == "compound":
                suffix = rng.choice(SUFFIXES)
                name, aliases = prefix + suffix, f"{prefix}{suffix}小区,{prefix}"
            elif kind == "road":
                name, aliases = prefix + rng.choice(ROAD_TYPES), ""
            else:
                name, aliases = prefix + rng.choice(LANDMARKS), ""
            p = Place(kind=kind, name=name, aliases=aliases, community=community,
                      grid=rng.choice(grids_of[community.pk]),
                      lat=community.lat + rng.uniform(-0.004, 0.004),
                      lng=community.lng + rng.uniform(-0.004, 0.004))
            places.append(p)
            if kind == "compound":
                compounds.append(p)
    Place.objects.bulk_create(places, batch_size=5000)
    if buildings_per_compound:
        Place.objects.bulk_create([
            Place(kind="building", name=f"{i}号楼", aliases=f"{i}栋", parent=c,
                  community_id=c.community_id, grid_id=c.grid_id, lat=c.lat, lng=c.lng)
            for c in compounds for i in range(1, buildings_per_compound + 1)
        ], batch_size=5000)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    n_buildings = len(compounds) * buildings_per_compound
    print(f"  建库：{len(units)} 个单位，{len(places)} 个地点，{n_buildings} 个楼栋，"
          f"{time.perf_counter() - t0:.1f} s", flush=True)
    return {"compounds": compounds, "places": places, "communities": communities}


def existing_city() -> dict:
    from minhu.org.models import Place, Unit

    if not Unit.objects.filter(code="BENCH").exists():
        sys.exit("--reuse：数据库里没有本基准测试建的城市")
    places = list(Place.objects.exclude(kind="building"))
    print(f"  沿用已有城市：{len(places)} 个地点", flush=True)
    return {"compounds": [p for p in places if p.kind == "compound"], "places": places,
            "communities": list(Unit.objects.filter(kind="community"))}


def queries(city: dict, n: int, rng: random.Random) -> list[tuple[str, tuple, int]]:
    """(kind, resolve_place arguments, the community it should find). Names repeat across
    the synthetic city as they do in a real one, so text-only kinds carry real ambiguity."""
    out = []
    for i in range(n):
        kind = i % 6
        p = rng.choice(city["compounds"])
        problem = rng.choice(PROBLEMS)
        bare = p.aliases.split(",")[-1]
        if kind == 0:
            address = f"{p.name}{rng.randint(1, 9)}号楼{rng.randint(1, 3)}单元"
            out.append(("全名+楼栋（地址）", (address, problem, None, None), p.community_id))
        elif kind == 1:
            content = f"我家在{p.name}那边，{problem}，一直没人管，希望尽快处理"
            out.append(("全名（正文）", ("", content, None, None), p.community_id))
        elif kind == 2:
            out.append(("简称（地址）", (f"{bare}附近", problem, None, None), p.community_id))
        elif kind == 3:
            c = rng.choice(city["communities"])
            out.append(("仅坐标", ("", problem, c.lat + rng.uniform(-0.003, 0.003),
                                 c.lng + rng.uniform(-0.003, 0.003)), c.pk))
        elif kind == 4:
            out.append(("简称+坐标", (f"{bare}那边", problem, p.lat, p.lng), p.community_id))
        else:
            q = rng.choice(city["places"])
            args_ = (f"{q.name}门口", "你好，" + problem * 5, None, None)
            out.append(("任意地点（地址）+长正文", args_, q.community_id))
    return out


def rss_mb() -> float:
    """Resident memory of this process (Linux), in MB."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return 0.0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--communities", type=int, default=7000)
    parser.add_argument("--places", type=int, default=100_000)
    parser.add_argument("--buildings", type=int, default=0, help="buildings per compound")
    parser.add_argument("--queries", type=int, default=3000)
    parser.add_argument("--reuse", action="store_true",
                        help="measure the city an earlier run of this bench left in the database")
    args = parser.parse_args()
    rng = random.Random(5)
    print(f"place_resolve on {machine()}, {connection.vendor}")
    call_command("migrate", verbosity=0)
    city = existing_city() if args.reuse else fill(args.communities, args.places,
                                                    args.buildings, rng)

    from minhu.geo import store
    from minhu.geo.resolve import resolve_place

    store.forget()
    rss_before = rss_mb()
    t0, c0 = time.perf_counter(), time.process_time()
    gaz = store.current()
    build_s, build_cpu = time.perf_counter() - t0, time.process_time() - c0
    rss_gaz = rss_mb()
    t0 = time.perf_counter()
    gaz.boundaries()
    index_s = time.perf_counter() - t0
    rss_all = rss_mb()
    print(f"  地名库：{gaz.terms} 个词条，构建 {build_s:.2f} s（CPU {build_cpu:.2f} s），"
          f"内存约 +{rss_gaz - rss_before:.0f} MB；"
          f"边界索引载入 {index_s:.2f} s，内存约 +{rss_all - rss_gaz:.0f} MB", flush=True)

    mix = queries(city, args.queries, rng)
    for _, args_, _ in mix[:200]:
        resolve_place(*args_)  # warm up
    timings = []
    right: dict[str, list[int]] = {}
    for kind, args_, expected in mix:
        t0 = time.perf_counter()
        match = resolve_place(*args_)
        timings.append((time.perf_counter() - t0) * 1000)
        tally = right.setdefault(kind, [0, 0])
        tally[0] += match.community_id == expected
        tally[1] += 1
    print(f"  resolve_place × {len(mix)}：p50 {percentile(timings, 50):.3f} ms，"
          f"p95 {percentile(timings, 95):.3f} ms，p99 {percentile(timings, 99):.3f} ms，"
          f"max {max(timings):.1f} ms")
    print("  社区准确率：" + "；".join(f"{k} {r / t:.0%}" for k, (r, t) in right.items()))


if __name__ == "__main__":
    main()
