"""Who should lead an order: the responsibility list 权责清单 plus what the history teaches.

``rank_units(category, chain)`` returns up to three ``RouteCandidate`` rows, surest first,
each with co-handling units, a confidence and a short Chinese reason such as
"权责清单: 噪声扰民→文昌街道 牵头; 近90天同社区同类 12 件由文昌街道办结".

How a candidate is scored:

* every responsibility-list line that applies (the category or its first level, the whole
  city or the order's district/street, the order's audience) proposes its lead; the most
  specific line gives the prior (the same ordering ``catalog.routing.route`` uses), looser
  lines and the lines' co-handlers get small priors;
* ``RoutingStat`` (which unit finally solved orders of this category in this community in
  the look-back window, and how often each unit returned them) moves the weight: the more
  history there is, the more it counts. History only re-orders units the list allows
  (a line's lead or co-handler); it never invents a unit;
* returns count against a unit: they lower both its history share and its prior;
* a functional matter (the most specific line names a department or company, not a
  territorial level) is never proposed to a street, community or grid as lead, whatever
  the history says.

The lines, the units they name and the policy are cached per process and dropped when a
row changes here (signals) or, for changes made by another process, after ``CACHE_TTL``.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from django.db.models.signals import m2m_changed, post_delete, post_save

from minhu.catalog.models import Audience, Category, Responsibility
from minhu.org.kinds import FUNCTIONAL_KINDS, GRASSROOTS_KINDS, TERRITORIAL_LEVELS
from minhu.org.models import Unit

from .models import RoutingStat, TriagePolicy
from .types import RouteCandidate

CACHE_TTL = 300.0  # seconds; other processes' edits show up at the latest after this
# Prior weights: the most specific line's lead gets its fit (below); looser lines' leads
# and co-handlers promoted to lead get only a little, so history must earn their place.
OTHER_LINE_PRIOR = 0.08
CO_PRIOR = 0.02
# How many solved orders make history weigh as much as the list (alpha = n / (n + K)).
HISTORY_K = 6.0
MAX_CONFIDENCE = 0.99
LEVELS = tuple(level.value for level in TERRITORIAL_LEVELS)


@dataclass(frozen=True)
class UnitInfo:
    id: int
    name: str
    kind: str
    is_active: bool

    @property
    def is_grassroots(self) -> bool:
        return self.kind in GRASSROOTS_KINDS


@dataclass(frozen=True)
class CategoryInfo:
    id: int
    code: str
    name: str
    parent_id: int | None


@dataclass(frozen=True)
class Line:
    """One responsibility-list row, as plain data."""

    id: int
    category_id: int
    area_id: int | None
    audience: str
    lead_unit_id: int | None
    lead_level: str
    co_unit_ids: tuple[int, ...]
    co_levels: tuple[str, ...]


@dataclass
class _Tables:
    loaded_at: float = 0.0
    lines: dict[int, list[Line]] = field(default_factory=dict)  # by category id
    categories: dict[int, CategoryInfo] = field(default_factory=dict)
    codes: dict[str, int] = field(default_factory=dict)
    units: dict[int, UnitInfo] = field(default_factory=dict)  # every unit seen so far
    history_days: int = 90


_lock = threading.Lock()
_tables = _Tables()


def clear_cache(**_kwargs) -> None:
    global _tables
    with _lock:
        _tables = _Tables()


def _load() -> _Tables:
    t = _Tables(loaded_at=time.monotonic())
    for c in Category.objects.values("id", "code", "name", "parent_id"):
        t.categories[c["id"]] = CategoryInfo(c["id"], c["code"], c["name"], c["parent_id"])
        t.codes[c["code"]] = c["id"]
    co_links: dict[int, list[int]] = {}
    for rid, uid in Responsibility.co_units.through.objects.values_list(
            "responsibility_id", "unit_id"):
        co_links.setdefault(rid, []).append(uid)
    fixed: set[int] = set()
    for r in Responsibility.objects.values("id", "category_id", "area_id", "audience",
                                           "lead_unit_id", "lead_level", "co_levels"):
        line = Line(
            id=r["id"], category_id=r["category_id"], area_id=r["area_id"],
            audience=r["audience"], lead_unit_id=r["lead_unit_id"],
            lead_level=r["lead_level"] or "", co_unit_ids=tuple(sorted(co_links.get(r["id"], []))),
            co_levels=tuple(x.strip() for x in (r["co_levels"] or "").split(",")
                            if x.strip() in LEVELS),
        )
        t.lines.setdefault(line.category_id, []).append(line)
        fixed.update(line.co_unit_ids)
        if line.lead_unit_id:
            fixed.add(line.lead_unit_id)
    _remember_units(t, Unit.objects.filter(pk__in=fixed))
    policy = TriagePolicy.objects.values("history_days").first()
    t.history_days = policy["history_days"] if policy else 90
    return t


def _remember_units(t: _Tables, qs) -> None:
    for u in qs.values("id", "name", "short_name", "kind", "is_active"):
        t.units[u["id"]] = UnitInfo(u["id"], u["name"], u["kind"], u["is_active"])


def tables() -> _Tables:
    global _tables
    t = _tables
    if not t.loaded_at or time.monotonic() - t.loaded_at > CACHE_TTL:
        with _lock:
            if _tables is t:
                _tables = _load()
            t = _tables
    return t


def unit_infos(ids) -> dict[int, UnitInfo]:
    """Units by id from the process cache; the missing ones in one query."""
    t = tables()
    wanted = {i for i in ids if i}
    missing = wanted - t.units.keys()
    if missing:
        _remember_units(t, Unit.objects.filter(pk__in=missing))
    return {i: t.units[i] for i in wanted if i in t.units}


def category_info(category) -> CategoryInfo | None:
    """A Category, its code or its id, as cached plain data."""
    if category is None or category == "":
        return None
    t = tables()
    if isinstance(category, Category):
        key = category.pk
    elif isinstance(category, int):
        key = category
    else:
        key = t.codes.get(str(category))
    return t.categories.get(key) if key is not None else None


for _model in (Responsibility, Category, Unit, TriagePolicy):
    post_save.connect(clear_cache, sender=_model, dispatch_uid=f"triage-routing-{_model.__name__}")
    post_delete.connect(clear_cache, sender=_model,
                        dispatch_uid=f"triage-routing-del-{_model.__name__}")
m2m_changed.connect(clear_cache, sender=Responsibility.co_units.through,
                    dispatch_uid="triage-routing-co")


# --- Ranking -----------------------------------------------------------------------


@dataclass
class _Candidate:
    unit: UnitInfo
    prior: float
    co: list[int]
    rule: str  # the responsibility-list half of the reason
    solved: int = 0
    returned: int = 0
    score: float = 0.0


def _chain_ids(chain: dict | None) -> dict[str, int | None]:
    out: dict[str, int | None] = dict.fromkeys(LEVELS)
    for level in LEVELS:
        value = (chain or {}).get(level)
        out[level] = value.pk if isinstance(value, Unit) else value
    return out


def _line_fit(line: Line, cat: CategoryInfo) -> float:
    """How much the most specific line alone is trusted: its own (second-level) category
    and an area of its own beat a first-level or city-wide fallback. Kept below the
    default auto-dispatch threshold: the list alone does not dispatch, history must agree."""
    score = 0.85 if line.category_id == cat.id else 0.7
    if line.area_id is not None:
        score += 0.04
    return score


def _applicable(cat: CategoryInfo, chain: dict[str, int | None],
                is_enterprise: bool) -> list[Line]:
    """The lines that apply, most specific first (as ``catalog.routing.route`` orders them)."""
    t = tables()
    areas = {chain["district"], chain["street"]} - {None}
    audience = Audience.ENTERPRISE if is_enterprise else Audience.CITIZEN
    found = [line for cid in (cat.id, cat.parent_id) if cid
             for line in t.lines.get(cid, ())
             if (line.area_id is None or line.area_id in areas)
             and line.audience in (Audience.ALL, audience)]

    def rank(line: Line) -> tuple:
        area_rank = 0
        if line.area_id is not None:
            area_rank = 2 if line.area_id == chain["street"] else 1
        return (line.category_id == cat.id, area_rank, line.audience != Audience.ALL, -line.id)

    return sorted(found, key=rank, reverse=True)


def _line_units(line: Line, chain: dict[str, int | None]) -> tuple[int | None, list[int]]:
    lead = line.lead_unit_id or chain.get(line.lead_level)
    co = list(line.co_unit_ids)
    for level in line.co_levels:
        unit = chain.get(level)
        if unit is not None and unit not in co:
            co.append(unit)
    return lead, [u for u in co if u != lead]


def _label(cat_name: str, lead: UnitInfo) -> str:
    return f"权责清单: {cat_name}→{lead.name} 牵头"


def is_functional(line: Line, units: dict[int, UnitInfo]) -> bool:
    """A line whose lead is a fixed department or company (not a territorial level)."""
    lead = units.get(line.lead_unit_id) if line.lead_unit_id else None
    return lead is not None and lead.kind in FUNCTIONAL_KINDS


def rank_units(category, chain: dict | None, *, is_enterprise: bool = False,
               community_id: int | None = None, limit: int = 3) -> list[RouteCandidate]:
    """Up to ``limit`` lead units for ``category`` (a Category, code or id) at ``chain``
    ({"district": Unit|id|None, "street": …, "community": …, "grid": …}), surest first."""
    cat = category_info(category)
    if cat is None:
        return []
    chain_ids = _chain_ids(chain)
    lines = _applicable(cat, chain_ids, is_enterprise)
    if not lines:
        return []
    resolved = [(line, *_line_units(line, chain_ids)) for line in lines]
    units = unit_infos({u for _, lead, co in resolved for u in [lead, *co]})
    functional = is_functional(lines[0], units)
    t = tables()

    cands: dict[int, _Candidate] = {}

    def allowed(uid) -> bool:
        unit = units.get(uid)
        return unit is not None and unit.is_active and not (functional and unit.is_grassroots)

    for i, (line, lead, co) in enumerate(resolved):
        if not allowed(lead):
            continue
        prior = _line_fit(line, cat) if i == 0 else OTHER_LINE_PRIOR / i
        if lead not in cands or cands[lead].prior < prior:
            line_cat = t.categories.get(line.category_id)
            cands[lead] = _Candidate(
                unit=units[lead], prior=prior, co=[u for u in co if units.get(u, None)
                                                   and units[u].is_active],
                rule=_label(line_cat.name if line_cat else cat.name, units[lead]))
    for _line, lead, co in resolved:
        for uid in co:
            if uid in cands or not allowed(uid):
                continue
            # A co-handler leads only if history says so; the line's lead then assists.
            others = [u for u in [lead, *co] if u != uid and allowed_co(u, units)]
            lead_name = units[lead].name if lead in units else ""
            cands[uid] = _Candidate(
                unit=units[uid], prior=CO_PRIOR, co=others,
                rule=f"权责清单: {cat.name}→{lead_name} 牵头，{units[uid].name} 协办")
    if not cands:
        return []

    community = community_id or chain_ids["community"]
    note_functional = _apply_history(cands, cat, community, functional)
    days = t.history_days
    best_hist = max(cands.values(), key=lambda c: (c.solved, -c.returned, c.prior))
    ranked = sorted(cands.values(), key=lambda c: (-c.score, -c.prior, c.unit.id))[:limit]
    out = []
    for c in ranked:
        parts = [c.rule]
        if c.solved:
            parts.append(f"近{days}天同社区同类 {c.solved} 件由{c.unit.name}办结")
        elif best_hist.solved:
            parts.append(f"近{days}天同社区同类 {best_hist.solved} 件由{best_hist.unit.name}办结")
        if c.returned:
            parts.append(f"{c.unit.name}退回同类 {c.returned} 件")
        if note_functional and not out:
            parts.append("职能事项不下派基层")  # said once, on the top proposal
        out.append(RouteCandidate(lead_id=c.unit.id, co_ids=c.co, category_code=cat.code,
                                  confidence=round(c.score, 4), reason="; ".join(parts)))
    return out


def allowed_co(uid, units: dict[int, UnitInfo]) -> bool:
    unit = units.get(uid)
    return unit is not None and unit.is_active


def _apply_history(cands: dict[int, _Candidate], cat: CategoryInfo, community: int | None,
                   functional: bool) -> bool:
    """Blend the list's priors with the solved/returned counts; returns whether history
    pointed at grassroots units that a functional matter may not go to (worth saying)."""
    rows = []
    if community and cat.parent_id:
        rows = list(RoutingStat.objects.filter(community_id=community, category_id=cat.id)
                    .values_list("unit_id", "solved", "returned"))
    blocked = False
    for uid, solved, returned in rows:
        c = cands.get(uid)
        if c is not None:
            c.solved, c.returned = solved, returned
        elif functional and solved:
            unit = unit_infos([uid]).get(uid)
            blocked = blocked or (unit is not None and unit.is_grassroots)
    solved_all = sum(c.solved for c in cands.values())
    returned_all = sum(c.returned for c in cands.values())
    alpha = solved_all / (solved_all + HISTORY_K) if solved_all else 0.0
    for c in cands.values():
        # Returns count against a unit twice: in its history share and in its prior.
        keep = (c.solved + 1) / (c.solved + c.returned + 1)
        share = 0.0
        if c.solved:
            share = c.solved / (solved_all + returned_all) * c.solved / (c.solved + c.returned)
        c.score = (1 - alpha) * c.prior * keep + alpha * share
    total = sum(c.score for c in cands.values())
    if total > 1:
        for c in cands.values():
            c.score /= total
    for c in cands.values():
        c.score = min(c.score, MAX_CONFIDENCE)
    return blocked
