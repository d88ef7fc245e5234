"""Triage over HTTP (mounted under ``/api/v1/`` by ``minhu.api``).

* ``GET /orders/{number}/triage``: what triage proposes for an order the caller may see
  (classification, place, top-3 routes with reasons, duplicates, review flags);
* ``POST /triage/classify`` ``{text, title?, address?}``: classification and place of a
  text that is not an order yet (partner systems, the agent console while typing).

Both only read; nothing here changes an order.
"""

from __future__ import annotations

import logging

from ninja import Field, Router, Schema

from minhu.catalog.models import Category, RequestType, UrgencyTier
from minhu.core.errors import MinhuError, ValidationFailed
from minhu.orders.actions.intake import MAX_CONTENT
from minhu.orders.api import ERRORS, load_order
from minhu.orders.models import WorkOrder
from minhu.org.models import Unit

from .suggest import suggest
from .types import Classification, PlaceMatch

log = logging.getLogger(__name__)
router = Router(tags=["智能分拨 Triage"])

MAX_TITLE = 120


class TriageUnavailable(MinhuError):
    status = 503
    code = "triage_unavailable"

MAX_ADDRESS = 200


class TriageGuessOut(Schema):
    code: str
    name: str = ""
    confidence: float
    evidence: str = ""


class TriageClassificationOut(Schema):
    type: TriageGuessOut | None = None
    category: TriageGuessOut | None = None
    categories: list[TriageGuessOut] = []
    first_levels: list[TriageGuessOut] = []
    types: list[TriageGuessOut] = []
    urgencies: list[TriageGuessOut] = []
    urgency: TriageGuessOut | None = None
    rule_hits: list[str] = []
    model_version: int | None = None


class TriageUnitOut(Schema):
    code: str
    name: str
    kind: str


class TriagePlaceOut(Schema):
    place_id: int | None = None
    district: TriageUnitOut | None = None
    street: TriageUnitOut | None = None
    community: TriageUnitOut | None = None
    grid: TriageUnitOut | None = None
    confidence: float = 0.0
    evidence: list[str] = []


class TriageRouteOut(Schema):
    lead: TriageUnitOut
    co: list[TriageUnitOut] = []
    category_code: str | None = None
    confidence: float
    reason: str


class TriageDuplicateOut(Schema):
    number: str
    kind: str
    score: float
    reason: str
    incident_id: int | None = None


class TriageFlagOut(Schema):
    code: str
    reason: str


class TriageOut(Schema):
    number: str
    classification: TriageClassificationOut | None = None
    place: TriagePlaceOut | None = None
    routes: list[TriageRouteOut] = []
    duplicates: list[TriageDuplicateOut] = []
    flags: list[TriageFlagOut] = []
    elapsed_ms: float = 0.0


class TriageClassifyIn(Schema):
    text: str = Field(..., min_length=1, max_length=MAX_CONTENT, description="诉求内容")
    title: str = Field("", max_length=MAX_TITLE, description="标题（可不填）")
    address: str = Field("", max_length=MAX_ADDRESS, description="地址（可不填，用于识别地点）")


class TriageClassifyOut(Schema):
    classification: TriageClassificationOut | None = None
    place: TriagePlaceOut | None = None
    elapsed_ms: float = 0.0


# --- Shaping -----------------------------------------------------------------------------


def _names() -> dict[str, str]:
    names = dict(Category.objects.values_list("code", "name"))
    names.update(RequestType.objects.values_list("code", "name"))
    names.update(UrgencyTier.objects.values_list("code", "name"))
    return names


def _guesses(items, names) -> list[dict]:
    return [{"code": g.code, "name": names.get(g.code, ""), "confidence": g.confidence,
             "evidence": g.evidence} for g in items]


def classification_out(c: Classification | None) -> dict | None:
    if c is None:
        return None
    names = _names()
    out = {"categories": _guesses(c.categories, names),
           "first_levels": _guesses(c.first_levels, names),
           "types": _guesses(c.types, names), "urgencies": _guesses(c.urgencies, names),
           "rule_hits": list(c.rule_hits), "model_version": c.model_version}
    out["category"] = out["categories"][0] if out["categories"] else None
    out["type"] = out["types"][0] if out["types"] else None
    out["urgency"] = out["urgencies"][0] if out["urgencies"] else None
    return out


def _unit_out(unit: Unit | None) -> dict | None:
    return {"code": unit.code, "name": unit.name, "kind": unit.kind} if unit else None


def place_out(p: PlaceMatch | None) -> dict | None:
    if p is None:
        return None
    units = Unit.objects.in_bulk([i for i in p.chain_ids().values() if i])
    return {"place_id": p.place_id, "confidence": p.confidence, "evidence": list(p.evidence),
            **{level: _unit_out(units.get(uid)) for level, uid in p.chain_ids().items()}}


def triage_out(user, order: WorkOrder) -> dict:
    s = suggest(order)
    ids = {r.lead_id for r in s.routes} | {u for r in s.routes for u in r.co_ids}
    units = Unit.objects.in_bulk(ids)
    routes = [{"lead": _unit_out(units[r.lead_id]),
               "co": [_unit_out(units[u]) for u in r.co_ids if u in units],
               "category_code": r.category_code, "confidence": r.confidence,
               "reason": r.reason}
              for r in s.routes if r.lead_id in units]
    # Only duplicates the caller may see are named.
    numbers = dict(WorkOrder.objects.visible_to(user)
                   .filter(pk__in=[d.order_id for d in s.duplicates])
                   .values_list("pk", "number"))
    duplicates = [{"number": numbers[d.order_id], "kind": d.kind, "score": d.score,
                   "reason": d.reason, "incident_id": d.incident_id}
                  for d in s.duplicates if d.order_id in numbers]
    return {"number": order.number, "classification": classification_out(s.classification),
            "place": place_out(s.place), "routes": routes, "duplicates": duplicates,
            "flags": [{"code": f.code, "reason": f.reason} for f in s.flags],
            "elapsed_ms": s.elapsed_ms}


# --- Endpoints -----------------------------------------------------------------------------


@router.get("/orders/{number}/triage", response={200: TriageOut, **ERRORS},
            operation_id="order_triage", summary="智能分拨建议 Triage suggestion")
def order_triage(request, number: str):
    """该工单的智能分拨建议：分类、紧急程度、地点、前 3 个主办单位建议（含协办与理由）、
    疑似重复工单和需人工审核的提示。无权查看与不存在一样返回 404。"""
    user = request.auth
    order = load_order(user, number)
    return triage_out(user, order)


@router.post("/triage/classify", response={200: TriageClassifyOut, **ERRORS},
             operation_id="triage_classify", summary="识别诉求 Classify a text")
def classify_text(request, payload: TriageClassifyIn):
    """识别一段诉求文字的类型、分类（两级）、紧急程度和地点，不登记工单。
    `text` 最多 5000 字，`title` 最多 120 字，`address` 最多 200 字。"""
    import time

    text = payload.text.strip()
    if not text:
        raise ValidationFailed("字段 text 不能为空", code="validation_failed", field="text")
    started = time.perf_counter()
    try:
        from .classify import classify

        classification = classify(text, title=payload.title.strip())
    except Exception:  # noqa: BLE001 - said plainly to the caller, logged for us
        log.exception("classification failed in /triage/classify")
        raise TriageUnavailable("智能识别暂时不可用，请稍后重试") from None
    place = None
    try:
        from minhu.geo.resolve import resolve_place

        place = resolve_place(payload.address.strip(), text, None, None)
    except Exception:  # noqa: BLE001 - the classification is still worth returning
        log.exception("place resolution failed in /triage/classify")
    return {"classification": classification_out(classification), "place": place_out(place),
            "elapsed_ms": round((time.perf_counter() - started) * 1000, 2)}
