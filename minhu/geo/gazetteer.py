"""The gazetteer: every name a citizen may use for a place or a territorial unit, compiled
into one Aho-Corasick automaton, with the unit tree and places held in memory.

``build()`` reads the tables once; ``store.py`` keeps one gazetteer per process and
decides when to build it again.
"""

from __future__ import annotations

import re
import sys
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import NamedTuple

import ahocorasick
from django.core.cache import cache
from django.db.models import Count, Max

from minhu.org.kinds import PlaceKind, UnitKind
from minhu.org.models import Place, Unit

from .normalize import normalize

PRIOR_DAYS = 90
VERSION_KEY = "minhu:geo:gazetteer-version"

# How much one mention is worth, by what was matched. A full, unique name of a compound or
# landmark is the strongest textual evidence; short forms and bare prefixes are weak and
# only count where the text around them reads like a place (see ``needs_cue``).
W_PLACE_NAME = 1.0
W_ROAD_NAME = 0.75  # a road runs through several communities
W_PLACE_ALIAS = 0.9
W_PLACE_VARIANT = 0.7  # "锦绣小区" for 锦绣家园
W_PLACE_PREFIX = 0.55  # "锦绣" for 锦绣家园
W_GRID = 1.0
W_COMMUNITY = 0.85
W_COMMUNITY_SHORT = 0.55
W_STREET = 0.7
W_STREET_SHORT = 0.45
W_DISTRICT = 0.6
W_DISTRICT_SHORT = 0.4

KIND_LABELS = {
    PlaceKind.COMPOUND: "小区", PlaceKind.BUILDING: "楼栋", PlaceKind.ROAD: "道路",
    PlaceKind.LANDMARK: "地标", UnitKind.DISTRICT: "区县", UnitKind.STREET: "街道乡镇",
    UnitKind.COMMUNITY: "社区村", UnitKind.GRID: "网格",
}
TERRITORIAL = (UnitKind.DISTRICT, UnitKind.STREET, UnitKind.COMMUNITY, UnitKind.GRID)
LEVEL_RANK = {UnitKind.DISTRICT: 1, UnitKind.STREET: 2, UnitKind.COMMUNITY: 3,
              PlaceKind.ROAD: 3.2, PlaceKind.LANDMARK: 3.5, PlaceKind.COMPOUND: 3.6,
              UnitKind.GRID: 4, PlaceKind.BUILDING: 4.5}

# Endings stripped to get a compound's bare name (锦绣家园 → 锦绣); longest first.
COMPOUND_SUFFIXES = tuple(sorted((
    "家园", "花园", "小区", "公寓", "华庭", "名苑", "新村", "雅苑", "嘉园", "府", "公馆", "佳苑",
    "城", "安置小区", "农居点", "苑", "庭", "里", "坊", "大院", "院", "园", "公社", "村",
), key=len, reverse=True))
UNIT_SUFFIXES = {
    UnitKind.DISTRICT: ("自治县", "新区", "区", "县", "市"),
    UnitKind.STREET: ("街道办事处", "街道", "镇", "乡"),
    UnitKind.COMMUNITY: ("社区居委会", "居委会", "社区", "村委会", "村"),
}
# Where one term means several things, only its strongest form counts: "嘉禾小区" is the
# name of one compound and merely a made-up variant of another's.
FORM_TIER = {"name": 3, "alias": 2, "variant": 1, "prefix": 0, "short": 0}
# What people call a landmark instead of its official name: "文昌菜场" for 文昌农贸市场.
LANDMARK_SYNONYMS = (
    ("社区卫生服务中心", ("社区医院", "社区卫生服务站", "卫生服务中心", "社卫中心")),
    ("农贸市场", ("菜场", "菜市场", "菜市")),
    ("地铁站", ("地铁口", "站")),
    ("文化广场", ("广场",)),
    ("体育馆", ("体育中心",)),
    ("中心小学", ("小学",)),
    ("卫生院", ("医院",)),
    ("客运站", ("汽车站", "车站")),
    ("文化礼堂", ("礼堂",)),
)
_LEADING_NUMBER = re.compile(r"\d+")
_GRID_NUMBER = re.compile(r"第(\d+)网格$")
_HOUSE_NUMBER = re.compile(r"([^区县市镇乡]+?(?:路|街|大道|巷|弄)\d+号)")


@dataclass(frozen=True, slots=True)
class UnitInfo:
    id: int
    kind: str
    code: str
    name: str
    path: str
    parent_id: int | None
    lat: float | None
    lng: float | None


@dataclass(frozen=True, slots=True)
class PlaceInfo:
    id: int
    kind: str
    name: str
    community_id: int
    grid_id: int | None
    parent_id: int | None
    # When a name is ambiguous, the likelier place: (recent orders there, buildings).
    prior: tuple[int, int]


class Entry(NamedTuple):
    """One thing a term may mean."""

    target: str  # "unit" or "place"
    id: int
    kind: str
    weight: float
    form: str  # "name", "alias", "variant", "prefix", "short"
    needs_cue: bool  # a short or bare form: count it only where the text reads like a place


class Building(NamedTuple):
    id: int
    name: str
    grid_id: int | None


@dataclass
class Gazetteer:
    units: dict[int, UnitInfo]
    places: dict[int, PlaceInfo]
    automaton: ahocorasick.Automaton | None
    buildings: dict[int, dict[int, int]]  # compound id → {number: building id}
    building_odd: dict[int, tuple[str, int | None]]  # building id → (name, grid id)
    grids: dict[int, dict[int, int]]  # community id → {number: grid id}
    community_points: list[tuple[int, float, float]]  # (id, lat, lng)
    signature: tuple
    version: int | None
    # One-typo lookup: hash of a name with one character masked → the place (an id, or a
    # tuple of ids when several names share the key).
    masked: dict[int, int | tuple[int, ...]] = field(default_factory=dict)
    masked_lengths: tuple[int, ...] = ()
    built_in_ms: float = 0.0
    terms: int = 0
    checked_at: float = field(default_factory=time.monotonic)
    _boundaries: object = None

    def boundaries(self):
        """The point-in-polygon index, loaded on first use."""
        if self._boundaries is None:
            from .boundaries import load_index

            self._boundaries = load_index()
        return self._boundaries

    def building(self, compound: PlaceInfo, number: int) -> Building | None:
        building_id = self.buildings.get(compound.id, {}).get(number)
        if building_id is None:
            return None
        name, grid_id = self.building_odd.get(building_id, (f"{number}号楼", compound.grid_id))
        return Building(building_id, name, grid_id)

    def path_of_place(self, place: PlaceInfo) -> str:
        # A place is compared at its community: its grid is too fine to contradict
        # coordinates that fall just across a grid line.
        return self.units[place.community_id].path

    def match(self, text: str):
        """(start, end, term, entries) for every gazetteer term in ``text`` (normalised)."""
        if self.automaton is None or not text:
            return []
        return [(end - length + 1, end + 1, text[end - length + 1:end + 1], entries)
                for end, (length, entries) in self.automaton.iter(text)]


FUZZY_KINDS = (PlaceKind.COMPOUND, PlaceKind.LANDMARK)
FUZZY_MIN, FUZZY_MAX = 4, 8  # shorter names are too easily one character from a word


def masked_keys(text: str) -> list[str]:
    """``text`` with each character in turn replaced by a placeholder (one typo away)."""
    return [text[:i] + "\0" + text[i + 1:] for i in range(len(text))]


def bare_compound_name(name: str) -> str | None:
    for suffix in COMPOUND_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return None


def landmark_variants(name: str) -> set[str]:
    """Colloquial names of a landmark: "西溪街道社区卫生服务中心" → "西溪社区医院", …"""
    variants = set()
    for official, synonyms in LANDMARK_SYNONYMS:
        if not name.endswith(official) or len(name) == len(official):
            continue
        root = name[: -len(official)]
        roots = {root}
        for suffix in UNIT_SUFFIXES[UnitKind.STREET]:
            if root.endswith(suffix) and len(root) - len(suffix) >= 2:
                roots.add(root[: -len(suffix)])
        variants |= {r + s for r in roots for s in synonyms if len(r + s) >= 3}
        variants |= {r + official for r in roots}
        break
    variants.discard(name)
    return variants


def short_unit_name(unit: UnitInfo, short_name: str) -> set[str]:
    shorts = {normalize(short_name)} if short_name else set()
    for suffix in UNIT_SUFFIXES.get(unit.kind, ()):
        if unit.name.endswith(suffix) and len(unit.name) - len(suffix) >= 2:
            shorts.add(normalize(unit.name[: -len(suffix)]))
            break
    shorts.discard(normalize(unit.name))
    shorts.discard("")
    return shorts


def recent_orders() -> dict[int, int]:
    """Orders of the last ``PRIOR_DAYS`` per place (a building's count to its compound):
    where citizens called from recently is the likelier reading of an ambiguous name."""
    from minhu.core import clock
    from minhu.orders.models import WorkOrder

    since = clock.now() - timedelta(days=PRIOR_DAYS)
    counts: dict[int, int] = {}
    rows = (WorkOrder.objects.filter(created_at__gte=since, place__isnull=False)
            .values("place_id", "place__parent_id").annotate(n=Count("id"))
            .values_list("place_id", "place__parent_id", "n"))
    for place_id, parent_id, n in rows:
        key = parent_id or place_id
        counts[key] = counts.get(key, 0) + n
    return counts


def signature() -> tuple:
    """A cheap fingerprint of the tables the gazetteer is built from."""
    from .models import Boundary

    units = Unit.objects.filter(kind__in=TERRITORIAL).aggregate(n=Count("id"), m=Max("id"))
    places = Place.objects.aggregate(n=Count("id"), m=Max("id"))
    bounds = Boundary.objects.aggregate(n=Count("id"), m=Max("updated_at"))
    return (units["n"], units["m"], places["n"], places["m"], bounds["n"], bounds["m"])


def build() -> Gazetteer:
    started = time.perf_counter()
    version = cache.get(VERSION_KEY)
    sig = signature()
    units: dict[int, UnitInfo] = {}
    short_names: dict[int, str] = {}
    for row in Unit.objects.filter(kind__in=TERRITORIAL, is_active=True).values_list(
            "id", "kind", "code", "name", "path", "parent_id", "lat", "lng", "short_name"):
        units[row[0]] = UnitInfo(*row[:8])
        short_names[row[0]] = row[8]
    # Buildings are many (millions in a large city) and only looked up by number inside a
    # matched compound: just number → id, with the rare building whose grid or name is not
    # the usual one ("3号楼" in its compound's grid) kept aside.
    compound_grid = dict(Place.objects.filter(kind=PlaceKind.COMPOUND)
                         .values_list("id", "grid_id").iterator(5000))
    buildings: dict[int, dict[int, int]] = {}
    building_odd: dict[int, tuple[str, int | None]] = {}
    for pid, parent_id, name, grid_id in (
            Place.objects.filter(kind=PlaceKind.BUILDING, parent__isnull=False)
            .values_list("id", "parent_id", "name", "grid_id").iterator(5000)):
        number = _LEADING_NUMBER.match(name) or _LEADING_NUMBER.match(normalize(name))
        if number:
            n = int(number.group())
            buildings.setdefault(parent_id, {})[n] = pid
            if name != f"{n}号楼" or grid_id != compound_grid.get(parent_id):
                building_odd[pid] = (name, grid_id)
    del compound_grid
    recent = recent_orders()
    places: dict[int, PlaceInfo] = {}
    aliases: dict[int, str] = {}
    addresses: dict[int, str] = {}
    for pid, kind, name, alias, address, community_id, grid_id, parent_id in (
            Place.objects.exclude(kind=PlaceKind.BUILDING).values_list(
                "id", "kind", "name", "aliases", "address", "community_id", "grid_id",
                "parent_id").iterator(5000)):
        if community_id not in units:
            continue  # an inactive community: nothing can be sent there
        places[pid] = PlaceInfo(pid, sys.intern(kind), name, community_id, grid_id, parent_id,
                                (recent.get(pid, 0), len(buildings.get(pid, ()))))
        aliases[pid] = alias
        addresses[pid] = address

    terms: dict[str, list[Entry]] = {}

    def add(term: str, entry: Entry) -> None:
        term = normalize(term)
        if len(term) >= 2:
            terms.setdefault(term, []).append(entry)

    for info in units.values():
        if info.kind == UnitKind.GRID:
            add(info.name, Entry("unit", info.id, info.kind, W_GRID, "name", False))
            continue
        full, short = {
            UnitKind.DISTRICT: (W_DISTRICT, W_DISTRICT_SHORT),
            UnitKind.STREET: (W_STREET, W_STREET_SHORT),
            UnitKind.COMMUNITY: (W_COMMUNITY, W_COMMUNITY_SHORT),
        }[info.kind]
        add(info.name, Entry("unit", info.id, info.kind, full, "name", False))
        for name in short_unit_name(info, short_names[info.id]):
            add(name, Entry("unit", info.id, info.kind, short, "short", True))

    grids: dict[int, dict[int, int]] = {}
    for info in units.values():
        if info.kind == UnitKind.GRID and info.parent_id:
            number = _GRID_NUMBER.search(normalize(info.name)) or re.search(r"(\d\d)$", info.code)
            if number:
                grids.setdefault(info.parent_id, {})[int(number.group(1))] = info.id

    for info in places.values():
        if info.kind == PlaceKind.BUILDING:
            continue
        name_weight = W_ROAD_NAME if info.kind == PlaceKind.ROAD else W_PLACE_NAME
        add(info.name, Entry("place", info.id, info.kind, name_weight, "name", False))
        names = {normalize(info.name)}
        for alias in (aliases[info.id] or "").replace("，", ",").split(","):
            alias = normalize(alias)
            if alias and alias not in names:
                names.add(alias)
                bare = len(alias) <= 2 or alias == bare_compound_name(info.name)
                add(alias, Entry("place", info.id, info.kind,
                                 W_PLACE_PREFIX if bare else W_PLACE_ALIAS,
                                 "prefix" if bare else "alias", bare))
        if info.kind == PlaceKind.COMPOUND:
            bare = bare_compound_name(info.name)
            # "锦绣小区" for 锦绣家园 is the bare name followed by a compound word; the
            # resolver weighs that as a variant (not stored: it would add four terms a place).
            if bare and bare not in names:
                add(bare, Entry("place", info.id, info.kind, W_PLACE_PREFIX, "prefix", True))
            # "延安大道311号" — the street address people give instead of the name.
            house = _HOUSE_NUMBER.search(normalize(addresses[info.id]))
            if house:
                add(house.group(1), Entry("place", info.id, info.kind, W_PLACE_ALIAS, "alias",
                                          False))
        elif info.kind == PlaceKind.LANDMARK:
            for variant in landmark_variants(info.name):
                if variant not in names:
                    names.add(variant)
                    add(variant, Entry("place", info.id, info.kind, W_PLACE_VARIANT, "variant",
                                       False))

    automaton = ahocorasick.Automaton() if terms else None
    for term, entries in terms.items():
        best = max(FORM_TIER[e.form] for e in entries)
        kept = tuple(e for e in entries if FORM_TIER[e.form] == best)
        automaton.add_word(term, (len(term), kept))
    if automaton is not None:
        automaton.make_automaton()

    masked: dict[int, list[int]] = {}  # hash of the masked name: a third of the memory
    lengths = set()
    for info in places.values():
        if info.kind in FUZZY_KINDS and FUZZY_MIN <= len(info.name) <= FUZZY_MAX:
            name = normalize(info.name)
            lengths.add(len(name))
            for key in masked_keys(name):
                masked.setdefault(hash(key), []).append(info.id)
    community_points = [(u.id, u.lat, u.lng) for u in units.values()
                        if u.kind == UnitKind.COMMUNITY and u.lat is not None
                        and u.lng is not None]
    return Gazetteer(units=units, places=places, automaton=automaton, buildings=buildings,
                     building_odd=building_odd,
                     grids=grids, community_points=community_points, signature=sig,
                     masked={k: v[0] if len(v) == 1 else tuple(v) for k, v in masked.items()},
                     masked_lengths=tuple(sorted(lengths)),
                     version=version, built_in_ms=(time.perf_counter() - started) * 1000,
                     terms=len(terms))
