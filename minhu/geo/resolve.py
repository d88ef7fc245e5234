"""Where a request is: district → street → community → grid, from the address text, the
content and the coordinates, with a confidence and the evidence in words.

Every mention found (a compound, a road, a street named, a point inside a grid…) is a clue
with a weight. Clues that agree (one's unit lies within the other's) add up; the best
supported clue wins, ties going to the more specific one. Confidence grows with the support
and shrinks with the strongest clue that contradicts the winner. The address counts more
than the content; full names count more than short or bare forms, and bare forms only count
where the text reads like a place ("锦绣那边", not "锦绣前程").
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from minhu.org.kinds import PlaceKind, UnitKind
from minhu.triage.types import PlaceMatch

from . import store
from .boundaries import nearest_community
from .gazetteer import (
    KIND_LABELS,
    LEVEL_RANK,
    W_PLACE_VARIANT,
    Entry,
    Gazetteer,
    masked_keys,
)
from .normalize import normalize

ADDRESS_FACTOR = 1.0
CONTENT_FACTOR = 0.6
W_COORD_INSIDE = 0.9
W_COORD_NEAREST = 0.35
W_TYPO = 0.6
STRONG_FORMS = ("name", "alias", "variant")
FUZZY_WINDOW = 60
MAX_TEXT = 2000  # longer content adds nothing but time; places are named early

# What may follow a bare or short form for it to count as a place; and how near words
# ("附近", "对面") weaken a mention: the request is close to, not at, the place.
_CUE = re.compile(
    r"(?:小区|花园|家园|新村|社区|村|安置房|宿舍|大院|公寓|苑|华庭|那边|那儿|那里|这边|这里|附近|门口|对面|旁边"
    r"|边上|隔壁|一带|周边|周围|里面|里头|楼下|楼上|大门|东门|西门|南门|北门|后门|路口|\d|号|栋|幢|单元)"
)
# The end of a phrase also marks a place in an address ("住址：锦绣"), but in the content
# only right after a word that says where ("住在锦绣，…" and not "生活幸福，…").
_COMPOUND_WORD = re.compile(r"(?:小区|花园|家园|新村|公寓|苑|嘉园|佳苑|雅苑|名苑|华庭|新苑)")
_PHRASE_END = re.compile(r"(?:$|[，。,.;；、!！?？:：（）()\-—\[\]【】“”\"'])")
_LOCATIVE = ("在", "住", "到", "去", "于", "是")
_NEARNESS = (("对面", 0.8), ("附近", 0.85), ("周边", 0.85), ("一带", 0.85), ("旁边", 0.85),
             ("边上", 0.85), ("隔壁", 0.85), ("周围", 0.85), ("那边", 0.95))
_BEFORE_BUILDING = r"^(?:小区|那边|这边|里面|里头|的|东门|西门|南门|北门|东区|西区|南区|北区)?"
_BUILDING = re.compile(_BEFORE_BUILDING + r"(?:第)?(\d{1,3})(?:号楼|号|栋|幢|座|-\d)")
_UNIT_ONLY = re.compile(_BEFORE_BUILDING + r"(\d{1,2})单元")
_GRID = re.compile(r"第?(\d{1,2})网格")


@dataclass
class Hit:
    source: str  # "address", "content" or "coords"
    start: int
    end: int
    text: str  # what the text said (normalised)
    entries: tuple[Entry, ...]
    factor: float
    note: str = ""  # coordinates: how they were placed


@dataclass
class Candidate:
    hit: Hit
    entry: Entry
    weight: float
    path: str  # compared by prefix: a place at its community
    unit_id: int  # the most specific unit this clue gives
    rank: float
    prior: tuple[int, int]


def resolve_place(address: str = "", content: str = "", lat: float | None = None,
                  lng: float | None = None) -> PlaceMatch:
    """Resolve where a request is. Always returns a PlaceMatch: confidence 0 and no chain
    when nothing is found."""
    gaz = store.current()
    texts = {"address": normalize(address)[:MAX_TEXT], "content": normalize(content)[:MAX_TEXT]}
    hits = [*_text_hits(gaz, "address", texts["address"]),
            *_text_hits(gaz, "content", texts["content"])]
    if not any(h.source == "address" and any(e.form in STRONG_FORMS for e in h.entries)
               for h in hits):
        hits.extend(_typo_hits(gaz, texts["address"][:FUZZY_WINDOW], hits))
    coord_hit = _coordinate_hit(gaz, lat, lng)
    if coord_hit:
        hits.append(coord_hit)
    per_hit = [(hit, _candidates(gaz, hit)) for hit in hits]
    candidates = [c for _, found in per_hit for c in found]
    if not candidates:
        return PlaceMatch()

    scores = [_support(c, per_hit) for c in candidates]
    order = sorted(range(len(candidates)), key=lambda i: (
        scores[i], candidates[i].rank, candidates[i].weight, candidates[i].prior,
        -candidates[i].entry.id), reverse=True)
    best_i = order[0]
    best, support = candidates[best_i], scores[best_i]
    rivals = [(scores[i], candidates[i]) for i in order[1:]
              if not _compatible(candidates[i].path, best.path)]
    against = rivals[0][0] if rivals else 0.0
    confidence = (1 - math.exp(-3 * support)) * support / (support + against)

    agreeing = [c for c in candidates if _compatible(c.path, best.path)]
    match = PlaceMatch(confidence=round(min(0.99, confidence), 3))
    unit_id = _deepest_unit(gaz, best, agreeing)
    place = _chosen_place(best, agreeing)
    building = None
    if place is not None and place.entry.kind == PlaceKind.COMPOUND:
        building = _building(gaz, place, texts)
    if building is not None:
        match.place_id = building[0].id
        if building[0].grid_id in gaz.units:
            unit_id = building[0].grid_id
    elif place is not None:
        match.place_id = place.entry.id
    unit_id = _grid_from_text(gaz, unit_id, texts) or unit_id
    _fill_chain(gaz, match, unit_id)

    match.evidence = _evidence(gaz, agreeing, building)
    if rivals:
        rival = rivals[0][1]
        # The same words naming another place is a namesake; other words are a conflict.
        label = "同名还有：" if rival.hit is best.hit else "不一致："
        match.evidence.append(label + _describe(gaz, rival))
    return match


# -- clues -------------------------------------------------------------------------------------

def _text_hits(gaz: Gazetteer, source: str, text: str) -> list[Hit]:
    found = []
    for start, end, term, entries in gaz.match(text):
        if any(e.needs_cue for e in entries) and not _reads_as_place(source, text, start, end):
            entries = tuple(e for e in entries if not e.needs_cue)
            if not entries:
                continue
        found.append((start, end, term, entries))
    # Longest mention wins where mentions overlap: "文昌路" over "文昌", "锦绣家园" over "锦绣".
    found.sort(key=lambda f: (-(f[1] - f[0]), f[0]))
    taken: list[tuple[int, int]] = []
    hits = []
    factor = ADDRESS_FACTOR if source == "address" else CONTENT_FACTOR
    for start, end, term, entries in found:
        if any(start < e and s < end for s, e in taken):
            continue
        taken.append((start, end))
        near = next((f for word, f in _NEARNESS if text.startswith(word, end)), 1.0)
        if _COMPOUND_WORD.match(text, end):
            # "锦绣小区", "锦绣花园" for 锦绣家园: the bare name with a compound word after it
            # says more than the bare name alone.
            entries = tuple(e._replace(weight=W_PLACE_VARIANT, form="variant")
                            if e.form == "prefix" else e for e in entries)
        hits.append(Hit(source, start, end, term, entries, factor * near))
    hits.sort(key=lambda h: h.start)
    return hits


def _reads_as_place(source: str, text: str, start: int, end: int) -> bool:
    if _CUE.match(text, end):
        return True
    if not _PHRASE_END.match(text, end):
        return False
    return source == "address" or text[start - 1:start] in _LOCATIVE


def _typo_hits(gaz: Gazetteer, text: str, found: list[Hit]) -> list[Hit]:
    """Compound and landmark names written with one wrong character ("锦秀家园"), looked
    for only in an address that names no place exactly."""
    taken = [(h.start, h.end) for h in found if h.source == "address"]
    hits = []
    for length in gaz.masked_lengths:
        for start in range(len(text) - length + 1):
            end = start + length
            if any(start < e and s < end for s, e in taken):
                continue
            window = text[start:end]
            ids = set()
            for key in masked_keys(window):
                found_ids = gaz.masked.get(hash(key), ())
                ids.update(found_ids if isinstance(found_ids, tuple) else (found_ids,))
            entries = tuple(
                Entry("place", pid, gaz.places[pid].kind, W_TYPO, "typo", False)
                for pid in sorted(ids) if normalize(gaz.places[pid].name) != window)
            if entries:
                taken.append((start, end))
                hits.append(Hit("address", start, end, window, entries, ADDRESS_FACTOR))
    return hits


def _coordinate_hit(gaz: Gazetteer, lat, lng) -> Hit | None:
    try:
        lat, lng = float(lat), float(lng)
    except (TypeError, ValueError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180) or math.isnan(lat) or math.isnan(lng):
        return None
    unit_id = gaz.boundaries().locate(lat, lng)
    if unit_id is not None and unit_id in gaz.units:
        unit = gaz.units[unit_id]
        entry = Entry("unit", unit_id, unit.kind, W_COORD_INSIDE, "inside", False)
        return Hit("coords", 0, 0, "", (entry,), 1.0)
    near = nearest_community(gaz.community_points, lat, lng)
    if near is None:
        return None
    entry = Entry("unit", near[0], UnitKind.COMMUNITY, W_COORD_NEAREST, "nearest", False)
    return Hit("coords", 0, 0, "", (entry,), 1.0, note=f"{near[1]:.0f}")


def _candidates(gaz: Gazetteer, hit: Hit) -> list[Candidate]:
    # The same words naming several places count less for each; all else equal, the place
    # with more recent orders (then more buildings) is the likelier (``prior``).
    share = 1 / math.sqrt(len(hit.entries)) if hit.entries else 0
    result = []
    for entry in hit.entries:
        if entry.target == "place":
            place = gaz.places.get(entry.id)
            if place is None:
                continue
            path, prior = gaz.path_of_place(place), place.prior
            unit_id = place.grid_id if place.grid_id in gaz.units else place.community_id
        else:
            unit = gaz.units.get(entry.id)
            if unit is None:
                continue
            path, unit_id, prior = unit.path, unit.id, (0, 0)
        result.append(Candidate(hit, entry, entry.weight * hit.factor * share, path, unit_id,
                                LEVEL_RANK.get(entry.kind, 0), prior))
    return result


def _compatible(a: str, b: str) -> bool:
    return a.startswith(b) or b.startswith(a)


def _support(candidate: Candidate, per_hit: list[tuple[Hit, list[Candidate]]]) -> float:
    """The weight of every clue that agrees with ``candidate`` (one per mention)."""
    total = 0.0
    for hit, found in per_hit:
        if hit is candidate.hit:
            total += candidate.weight
            continue
        total += max((o.weight for o in found if _compatible(o.path, candidate.path)),
                     default=0.0)
    return total


# -- the answer --------------------------------------------------------------------------------

def _deepest_unit(gaz: Gazetteer, best: Candidate, agreeing: list[Candidate]) -> int:
    """The most specific unit the agreeing clues pin down below the winner's."""
    unit_id = best.unit_id
    depth = gaz.units[unit_id].path.count("/")
    for c in sorted(agreeing, key=lambda c: -c.weight):
        unit = gaz.units.get(c.unit_id)
        if unit and unit.path.startswith(gaz.units[unit_id].path) and \
                unit.path.count("/") > depth:
            unit_id, depth = unit.id, unit.path.count("/")
    return unit_id


def _chosen_place(best: Candidate, agreeing: list[Candidate]) -> Candidate | None:
    if best.entry.target == "place":
        return best
    places = [c for c in agreeing if c.entry.target == "place"]
    return max(places, key=lambda c: (c.weight, c.rank), default=None)


def _building(gaz: Gazetteer, compound: Candidate, texts: dict[str, str]):
    hit = compound.hit
    tail = texts.get(hit.source, "")[hit.end:hit.end + 16]
    m = _BUILDING.match(tail)
    guessed = False
    if m is None:
        m = _UNIT_ONLY.match(tail)
        guessed = m is not None
    if m is None:
        return None
    building = gaz.building(gaz.places[compound.entry.id], int(m.group(1)))
    if building is None:
        return None
    return building, tail[: m.end()], guessed


def _grid_from_text(gaz: Gazetteer, unit_id: int, texts: dict[str, str]) -> int | None:
    unit = gaz.units[unit_id]
    if unit.kind != UnitKind.COMMUNITY:
        return None
    for text in texts.values():
        m = _GRID.search(text)
        if m:
            return gaz.grids.get(unit.id, {}).get(int(m.group(1)))
    return None


def _fill_chain(gaz: Gazetteer, match: PlaceMatch, unit_id: int) -> None:
    unit = gaz.units.get(unit_id)
    while unit is not None:
        if unit.kind in (UnitKind.DISTRICT, UnitKind.STREET, UnitKind.COMMUNITY,
                         UnitKind.GRID):
            setattr(match, f"{unit.kind}_id", unit.id)
        unit = gaz.units.get(unit.parent_id) if unit.parent_id else None


def _describe(gaz: Gazetteer, c: Candidate) -> str:
    if c.hit.source == "coords":
        unit = gaz.units[c.entry.id]
        parent = gaz.units.get(unit.parent_id) if unit.parent_id else None
        full = unit.name
        if unit.kind == UnitKind.GRID and parent:
            grand = gaz.units.get(parent.parent_id) if parent.parent_id else None
            full = (grand.name if grand else "") + unit.name
        elif parent and unit.kind == UnitKind.COMMUNITY:
            full = parent.name + unit.name
        if c.entry.form == "nearest":
            return f"坐标不在任何辖区边界内，距“{full}”约 {c.hit.note} 米"
        return f"坐标落在“{full}”"
    verb = "地址含" if c.hit.source == "address" else "正文提到"
    target = gaz.places[c.entry.id] if c.entry.target == "place" else gaz.units[c.entry.id]
    label = KIND_LABELS.get(c.entry.kind, "")
    if c.entry.form == "typo":
        return f"{verb}“{c.hit.text}”（{label}：{target.name}，疑似错字）"
    if normalize(target.name) == c.hit.text:
        return f"{verb}“{c.hit.text}”（{label}）"
    return f"{verb}“{c.hit.text}”（{label}：{target.name}）"


def _evidence(gaz: Gazetteer, agreeing: list[Candidate], building) -> list[str]:
    seen, lines = set(), []
    order = {"address": 0, "content": 1, "coords": 2}
    for c in sorted(agreeing, key=lambda c: (order[c.hit.source], c.hit.start, -c.weight)):
        if id(c.hit) in seen:
            continue
        seen.add(id(c.hit))
        lines.append(_describe(gaz, c))
    if building is not None:
        place, said, guessed = building
        said = f"楼栋“{said}”" if said == place.name else f"楼栋“{said}”→{place.name}"
        lines.append(said + ("（按单元号推测）" if guessed else ""))
    return lines
