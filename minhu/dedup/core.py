"""Duplicate and incident detection, without the database.

A request becomes a ``Signature``: who called (phone), where (place keys, community,
coordinates), what (problem concepts and the character bigrams of the text with the place
names and generic words taken out), when. ``compare`` decides, for a new signature and an
earlier one, whether the new request is

* a **repeat** — the same caller about the same matter, while the earlier request is open
  or within ``REPEAT_DAYS`` of its closing;
* part of an **incident** — another caller about the same problem at the same place, within
  ``INCIDENT_WINDOW`` of the earlier call (so an incident keeps growing while calls come);
* or neither.

The three near-misses never pass: a different problem at the same place fails the problem
test, the same problem at another place fails the place test, and the same place months
later fails the time test. The production hook (``detect.py``) and ``minhu dedup-eval``
both call ``compare``; nothing here touches the database.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .lexicon import ADMIN_ENDINGS, GENERIC, NOT_ROADS, PLACE_ENDINGS, PROBLEMS

INCIDENT_WINDOW = timedelta(hours=72)
REPEAT_DAYS = 30
# How far apart two points may be and still be "the same place" (metres).
NEAR_METRES = 250.0
# Two places further apart than this are certainly different places.
FAR_METRES = 800.0
INCIDENT_SIMILARITY = 0.5
REPEAT_SIMILARITY = 0.45
CATEGORY_PENALTY = 0.25

_CJK = "\u4e00-\u9fff"
_PLACE_RE = re.compile(
    f"[{_CJK}]{{2}}(?:{'|'.join(sorted(PLACE_ENDINGS, key=len, reverse=True))})")
# A road: a two-character root and 路/大道/街 (not 街道, which is an administrative unit).
_ROAD_RE = re.compile(f"[{_CJK}]{{2}}(?:大道|路|街(?!道))")
_ADMIN_RE = re.compile(f"[{_CJK}]{{2,4}}?(?:{'|'.join(ADMIN_ENDINGS)})")
_NOISE_RE = re.compile(
    r"[0-9０-９a-zA-Z一二三四五六七八九十百]+(?:号楼|号|栋|幢|单元|室|楼|层|米|点|时)?")
_GENERIC_RE = re.compile("|".join(re.escape(w) for w in sorted(GENERIC, key=len, reverse=True)))
_NON_CJK_RE = re.compile(f"[^{_CJK}]+")


class Gazetteer:
    """Known place names (and aliases) → a place key, found by longest match.

    Production builds it from the city's places (key ``p:<compound id>``); without one,
    place names are recognised by their endings (家园, 小区, 路 …) and keyed by name.
    """

    def __init__(self, names: dict[str, str] | None = None):
        import ahocorasick

        self._auto = ahocorasick.Automaton()
        self.size = 0
        for name, key in (names or {}).items():
            if len(name) >= 3:  # two characters ("锦绣") are too often something else
                self._auto.add_word(name, (len(name), name, key))
                self.size += 1
        if self.size:
            self._auto.make_automaton()

    def find(self, text: str) -> list[tuple[str, str]]:
        """(surface, key) of the names in ``text``, longest first, not overlapping."""
        if not self.size or not text:
            return []
        hits = sorted(((end - n + 1, end + 1, name, key)
                       for end, (n, name, key) in self._auto.iter(text)),
                      key=lambda h: (-(h[1] - h[0]), h[0]))
        taken: list[tuple[int, int]] = []
        found = []
        for start, end, name, key in hits:
            if any(start < e and s < end for s, e in taken):
                continue
            taken.append((start, end))
            found.append((name, key))
        return found


NO_GAZETTEER = Gazetteer()


def _names_in(source: str, gazetteer: Gazetteer, *, roads: bool) -> list[tuple[str, str]]:
    found = gazetteer.find(source)
    if not found:
        found = [(m.group(0), "n:" + m.group(0)) for m in _PLACE_RE.finditer(source)]
    if not found and roads:
        # Roads only from the address: in free text "X路" is too often not a name.
        found = [(m.group(0), "n:" + m.group(0)) for m in _ROAD_RE.finditer(source)
                 if not any(w in m.group(0) for w in NOT_ROADS)]
    return found


def places_in(address: str, text: str, gazetteer: Gazetteer = NO_GAZETTEER
              ) -> tuple[frozenset[str], list[str]]:
    """Place keys named in the address (or, failing that, the first one in the text), and
    the surface forms to take out of the text before comparing problems."""
    in_address = _names_in(address or "", gazetteer, roads=True)
    in_text = _names_in(text or "", gazetteer, roads=False)
    # The address is where the request is; a text naming places names its own first.
    keys = ({key for _s, key in in_address} if in_address
            else {in_text[0][1]} if in_text else set())
    surfaces = [s for s, _k in in_address] + [s for s, _k in in_text]
    return frozenset(keys), surfaces


def concepts_of(text: str) -> frozenset[str]:
    return frozenset(c for c, forms in PROBLEMS.items() if any(f in text for f in forms))


def problem_text(text: str, place_surfaces: list[str]) -> str:
    """The text with places, numbers and generic complaint words taken out."""
    for surface in sorted(set(place_surfaces), key=len, reverse=True):
        text = text.replace(surface, " ")
    text = _ADMIN_RE.sub(" ", text)
    text = _NOISE_RE.sub(" ", text)
    text = _GENERIC_RE.sub(" ", text)
    return _NON_CJK_RE.sub(" ", text).strip()


def bigrams(text: str) -> Counter:
    grams: Counter = Counter()
    for run in text.split():
        if len(run) == 1:
            grams[run] += 1
        for i in range(len(run) - 1):
            grams[run[i:i + 2]] += 1
    return grams


def cosine(a: Counter, b: Counter) -> float:
    if not a or not b:
        return 0.0
    if len(a) > len(b):
        a, b = b, a
    dot = sum(v * b.get(k, 0) for k, v in a.items())
    if not dot:
        return 0.0
    return dot / math.sqrt(sum(v * v for v in a.values()) * sum(v * v for v in b.values()))


def metres(lat1, lng1, lat2, lng2) -> float:
    """Equirectangular distance: exact enough within a city."""
    x = math.radians(lng2 - lng1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return 6_371_000 * math.hypot(x, y)


@dataclass
class Signature:
    """What the detector keeps of one request."""

    key: object  # the order id (production) or the row id (evaluation)
    at: datetime
    phone: str = ""
    places: frozenset = frozenset()
    community: int | None = None
    category1: str = ""
    concepts: frozenset = frozenset()
    grams: Counter = field(default_factory=Counter)
    lat: float | None = None
    lng: float | None = None
    # The earlier request's state, for the repeat window (None: unknown, as in evaluation).
    closed_at: datetime | None = None
    is_open: bool | None = None


def signature(key, at: datetime, text: str, address: str = "", *, phone: str = "",
              gazetteer: Gazetteer = NO_GAZETTEER, place_key: str | None = None,
              community: int | None = None, category1: str = "", lat=None, lng=None
              ) -> Signature:
    places, surfaces = places_in(address, text, gazetteer)
    if place_key:  # a resolved place (the order's compound) beats the text
        places = frozenset({place_key})
    problem = problem_text(text or "", surfaces)
    return Signature(key=key, at=at, phone=normalize_phone(phone), places=places,
                     community=community, category1=category1 or "",
                     concepts=concepts_of(text or ""), grams=bigrams(problem), lat=lat, lng=lng)


def normalize_phone(phone: str) -> str:
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits if len(digits) >= 7 else ""


def problem_similarity(a: Signature, b: Signature) -> float:
    """How alike the two problems are, in [0, 1]: the named concepts first, the wording
    second. Two texts naming only different concepts are different problems."""
    text = cosine(a.grams, b.grams)
    if a.concepts and b.concepts:
        shared = len(a.concepts & b.concepts)
        if not shared:
            return 0.3 * text
        overlap = shared / min(len(a.concepts), len(b.concepts))
        return min(1.0, 0.6 * overlap + 0.4 * max(text, 0.25 * overlap))
    return text


@dataclass
class Decision:
    kind: str  # "repeat" or "incident"
    score: float
    similarity: float
    reason: str


def _place_relation(a: Signature, b: Signature) -> tuple[str, float | None]:
    """"same", "near", "conflict" or "unknown", and the distance when both have points."""
    dist = None
    if None not in (a.lat, a.lng, b.lat, b.lng):
        dist = metres(a.lat, a.lng, b.lat, b.lng)
    if a.places and b.places:
        if a.places & b.places:
            return "same", dist
        if dist is not None and dist <= NEAR_METRES / 5:
            return "near", dist
        return "conflict", dist
    if dist is not None:
        if dist <= NEAR_METRES:
            return "near", dist
        if dist > FAR_METRES:
            return "conflict", dist
    if a.community and b.community and a.community != b.community:
        return "conflict", dist
    return "unknown", dist


_ROAD_ENDINGS = ("路", "街", "大道")
_LANDMARK_ENDINGS = ("广场", "公园", "市场", "小学", "中学", "幼儿园", "医院", "卫生院", "地铁站",
                     "体育馆", "客运站", "文化礼堂", "水库", "大厦")


def same_place_text(keys) -> str:
    """"同一小区", "同一道路" or "同一地点", from the kind the shared key carries
    (``c:``/``r:``/``l:`` ids from the city's places, ``n:`` names from the text)."""
    kinds = set()
    for key in keys:
        prefix, _, name = key.partition(":")
        if prefix == "n":
            prefix = ("r" if name.endswith(_ROAD_ENDINGS)
                      else "l" if name.endswith(_LANDMARK_ENDINGS) else "c")
        kinds.add(prefix)
    if "c" in kinds:
        return "同一小区"
    if "r" in kinds:
        return "同一道路"
    return "同一地点"


def _gap_text(gap: timedelta) -> str:
    hours = gap.total_seconds() / 3600
    if hours < 1:
        return f"间隔 {max(1, round(hours * 60))} 分钟"
    if hours < 48:
        return f"间隔 {round(hours)} 小时"
    return f"间隔 {round(hours / 24)} 天"


def compare(new: Signature, old: Signature) -> Decision | None:
    """Is ``new`` a repeat of ``old``, or part of the same incident? ``old`` came first."""
    gap = new.at - old.at
    if gap < timedelta(0):
        return None
    relation, dist = _place_relation(new, old)
    same_phone = bool(new.phone) and new.phone == old.phone
    if relation == "conflict":
        return None
    if same_phone:
        if old.is_open is None:  # evaluation rows carry no state: open for REPEAT_DAYS
            in_window = gap <= timedelta(days=REPEAT_DAYS)
        elif old.is_open:
            in_window = True
        else:
            in_window = (old.closed_at is not None
                         and new.at - old.closed_at <= timedelta(days=REPEAT_DAYS))
        if not in_window:
            return None
        kind, threshold = "repeat", REPEAT_SIMILARITY
    else:
        if relation not in ("same", "near") or gap > INCIDENT_WINDOW:
            return None
        kind, threshold = "incident", INCIDENT_SIMILARITY
    if new.category1 and old.category1 and new.category1 != old.category1:
        # Filed under different first-level categories: possible (a slip at intake), but
        # the texts must then agree more.
        threshold += CATEGORY_PENALTY
    sim = problem_similarity(new, old)
    if sim < threshold:
        return None
    place_score = {"same": 1.0, "near": 0.8}.get(relation, 0.5)
    window = INCIDENT_WINDOW if kind == "incident" else timedelta(days=REPEAT_DAYS)
    time_score = max(0.0, 1 - gap / window)
    score = round(0.6 * sim + 0.25 * place_score + 0.15 * time_score, 2)
    reasons = [f"文本相似 {sim:.2f}"]
    if relation == "same":
        reasons.append(same_place_text(new.places & old.places))
    elif dist is not None:
        reasons.append(f"相距 {round(dist)} 米")
    reasons.append(_gap_text(gap))
    if same_phone:
        reasons.append("同一来电号码")
    return Decision(kind=kind, score=score, similarity=round(sim, 2), reason="；".join(reasons))


def best_match(new: Signature, earlier: list[Signature]) -> tuple[Signature, Decision] | None:
    """The earlier request ``new`` most likely duplicates; repeats come before incidents."""
    best = None
    for old in earlier:
        if old.key == new.key:
            continue
        decision = compare(new, old)
        if decision is None:
            continue
        rank = (decision.kind == "repeat", decision.score)
        if best is None or rank > best[0]:
            best = (rank, old, decision)
    return (best[1], best[2]) if best else None
