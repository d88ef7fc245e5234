"""Everything triage proposes for one order, in one call: ``suggest(order)``.

classify (title + content) → category (the order's own when a person set it, otherwise the
classifier's top ones) → place (the order's chain when it has one, otherwise resolved from
address, content and coordinates) → routes (top 3, ``routing.rank_units``) → duplicates →
flags. Each part is guarded: a part that fails is logged and left empty, so the dispatcher
desk, the API and auto-dispatch always get an answer. ``record(order)`` keeps the
suggestion as a ``TriageRecord`` to compare later with what the dispatcher did.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict

from minhu.core import clock
from minhu.org.kinds import TERRITORIAL_LEVELS

from .models import ModelVersion, TriageRecord
from .routing import category_info, rank_units, unit_infos
from .types import Classification, Guess, PlaceMatch, RouteCandidate, Suggestion

log = logging.getLogger(__name__)

MAX_CATEGORY_GUESSES = 3
# A guessed category below this share is not worth routing for.
MIN_CATEGORY_CONFIDENCE = 0.05
TERRITORIAL = {level.value for level in TERRITORIAL_LEVELS}


def _guarded(part: str, fn, *args, default=None, **kwargs):
    try:
        return fn(*args, **kwargs)
    except Exception:  # noqa: BLE001 - one broken part must never break the desk
        log.exception("triage part %s failed", part)
        return default


# --- The parts (other modules' functions, looked up at call time) -----------------------


def _classify(order) -> Classification | None:
    from .classify import classify

    return classify(order.content or "", title=order.title or "")


def _resolve_place(order) -> PlaceMatch | None:
    from minhu.geo.resolve import resolve_place

    return resolve_place(order.address or "", order.content or "", order.lat, order.lng)


def _duplicates(order) -> list:
    from minhu.dedup.detect import find_duplicates

    return find_duplicates(order, limit=5)


def _flags(order) -> list:
    from .flags import flags_for

    return flags_for(order)


# --- Assembling ----------------------------------------------------------------------


def order_place(order) -> PlaceMatch | None:
    """The place the order already has (set by the agent, the portal or a QR code)."""
    if not (order.community_id or order.street_id or order.district_id):
        return None
    evidence = []
    if order.place_id:
        evidence.append("工单已选地点")
    elif order.community_id:
        evidence.append("工单已定位到社区")
    else:
        evidence.append("工单已定位到街道/区县")
    return PlaceMatch(place_id=order.place_id, district_id=order.district_id,
                      street_id=order.street_id, community_id=order.community_id,
                      grid_id=order.grid_id, confidence=1.0, evidence=evidence)


def category_guesses(order, classification: Classification | None) -> list[Guess]:
    """The order's own category (a person chose it), or the classifier's top ones."""
    if order.category_id:
        return [Guess(code=order.category.code, confidence=1.0, evidence="工单已分类")]
    if classification is None:
        return []
    guesses = [g for g in classification.categories
               if g.confidence >= MIN_CATEGORY_CONFIDENCE][:MAX_CATEGORY_GUESSES]
    return guesses or classification.categories[:1]


def routes_for(guesses: list[Guess], place: PlaceMatch | None, *, is_enterprise: bool,
               limit: int = 3) -> list[RouteCandidate]:
    """Top routes over the category guesses: each route's confidence is weighed by how
    sure the category is and, for a territorial lead, how sure the place is."""
    chain = place.chain_ids() if place else {}
    place_conf = place.confidence if place else 0.0
    best: dict[int, RouteCandidate] = {}
    for guess in guesses:
        cat = category_info(guess.code)
        if cat is None:
            continue
        found = rank_units(cat.id, chain, is_enterprise=is_enterprise,
                           community_id=chain.get("community"), limit=limit)
        kinds = unit_infos([r.lead_id for r in found])
        for r in found:
            conf = r.confidence * guess.confidence
            unit = kinds.get(r.lead_id)
            if unit is not None and unit.kind in TERRITORIAL:
                conf *= place_conf
            reason = r.reason
            if guess.confidence < 1:
                reason = f"推测分类“{cat.name}” {round(guess.confidence * 100)}%; {reason}"
            if r.lead_id not in best or conf > best[r.lead_id].confidence:
                best[r.lead_id] = RouteCandidate(lead_id=r.lead_id, co_ids=r.co_ids,
                                                 category_code=r.category_code,
                                                 confidence=round(conf, 4), reason=reason)
    return sorted(best.values(), key=lambda r: -r.confidence)[:limit]


def suggest(order) -> Suggestion:
    """The full suggestion for ``order``; ``elapsed_ms`` says how long it took."""
    started = time.perf_counter()
    out = Suggestion()
    out.classification = _guarded("classify", _classify, order)
    place = order_place(order)
    if place is None:
        place = _guarded("place", _resolve_place, order)
    out.place = place
    guesses = category_guesses(order, out.classification)
    out.routes = _guarded("routing", routes_for, guesses, place,
                          is_enterprise=bool(order.is_enterprise), default=[])
    out.duplicates = _guarded("duplicates", _duplicates, order, default=[]) or []
    out.flags = _guarded("flags", _flags, order, default=[]) or []
    out.elapsed_ms = round((time.perf_counter() - started) * 1000, 2)
    return out


def as_data(suggestion: Suggestion) -> dict:
    """The suggestion as JSON-ready data (the API's answer, the record's detail)."""
    return asdict(suggestion)


def record(order, suggestion: Suggestion | None = None) -> TriageRecord:
    """Store (or refresh) what triage proposed for ``order``."""
    s = suggestion if suggestion is not None else suggest(order)
    c = s.classification
    top = s.routes[0] if s.routes else None
    category = (c.category if c else None)
    fields = dict(
        created_at=clock.now(),
        model_version_id=c.model_version if c else None,
        category_code=(category.code if category else "")[:20],
        category_confidence=category.confidence if category else 0.0,
        type_code=(c.request_type.code if c and c.request_type else "")[:20],
        urgency_code=(c.urgency.code if c and c.urgency else "")[:20],
        lead_unit_id=top.lead_id if top else None,
        route_confidence=top.confidence if top else 0.0,
        detail=as_data(s), elapsed_ms=s.elapsed_ms,
    )
    if fields["model_version_id"] is not None and not ModelVersion.objects.filter(
            pk=fields["model_version_id"]).exists():
        fields["model_version_id"] = None  # rolled back and deleted meanwhile
    rec, _ = TriageRecord.objects.update_or_create(order=order, defaults=fields)
    return rec
