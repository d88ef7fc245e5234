"""What each part of triage answers, as plain data.

Every part (classification, place, routing, duplicates, flags) returns one of these, so the
dispatcher desk, auto-dispatch, the API and the evaluation commands read the same shapes.
``evidence`` and ``reason`` are short Chinese phrases shown to people as they are.
Confidences are probabilities in [0, 1] (calibrated where the part says so).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Guess:
    """One candidate label with its probability."""

    code: str  # category code (CJ01 / CJ), request type code (consult) or urgency code
    confidence: float
    evidence: str = ""  # e.g. "关键词规则：燃气泄漏" or "模型 v3"


@dataclass
class Classification:
    """Type, category (both levels) and urgency of one request text, best first."""

    categories: list[Guess] = field(default_factory=list)  # second level, top-k
    first_levels: list[Guess] = field(default_factory=list)  # first level, top-k
    types: list[Guess] = field(default_factory=list)
    urgencies: list[Guess] = field(default_factory=list)
    model_version: int | None = None  # ModelVersion.pk, None for the built-in cold start
    rule_hits: list[str] = field(default_factory=list)  # names of keyword rules that fired

    @property
    def category(self) -> Guess | None:
        return self.categories[0] if self.categories else None

    @property
    def request_type(self) -> Guess | None:
        return self.types[0] if self.types else None

    @property
    def urgency(self) -> Guess | None:
        return self.urgencies[0] if self.urgencies else None


@dataclass
class PlaceMatch:
    """Where a request is: the most specific place found and its chain of units."""

    place_id: int | None = None  # org.Place, when a compound/building/road/landmark matched
    district_id: int | None = None  # org.Unit ids
    street_id: int | None = None
    community_id: int | None = None
    grid_id: int | None = None
    confidence: float = 0.0
    evidence: list[str] = field(default_factory=list)  # ["地址含“锦绣家园”", "坐标落在…网格"]

    def chain_ids(self) -> dict[str, int | None]:
        return {"district": self.district_id, "street": self.street_id,
                "community": self.community_id, "grid": self.grid_id}


@dataclass
class RouteCandidate:
    """One proposed lead unit with co-handlers, why, and how sure."""

    lead_id: int
    co_ids: list[int] = field(default_factory=list)
    category_code: str | None = None
    confidence: float = 0.0
    reason: str = ""  # "权责清单: 噪声→城管 牵头; 近90天同小区同类 12 件由文昌街道办结"


@dataclass
class DuplicateHint:
    """An earlier order that looks like the same matter."""

    order_id: int
    kind: str  # "repeat" (same caller, same matter) or "incident" (many callers, one problem)
    score: float
    reason: str  # "文本相似 0.82；相距 120 米；间隔 3 小时"
    incident_id: int | None = None


@dataclass
class FlagHint:
    """A reason a person may want to review the request as unreasonable (never automatic)."""

    code: str  # "abusive", "repeat_after_final", "outside_duty"
    reason: str


@dataclass
class Suggestion:
    """Everything triage proposes for one order."""

    classification: Classification | None = None
    place: PlaceMatch | None = None
    routes: list[RouteCandidate] = field(default_factory=list)  # top 3, surest first
    duplicates: list[DuplicateHint] = field(default_factory=list)
    flags: list[FlagHint] = field(default_factory=list)
    elapsed_ms: float = 0.0
