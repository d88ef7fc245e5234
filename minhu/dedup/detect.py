"""Duplicate detection against the database: signatures, candidates, hints, and what is
recorded when an order is registered (suggestions only; nothing is merged here)."""

from __future__ import annotations

import logging
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction
from django.utils.dateparse import parse_datetime

from minhu.core import clock
from minhu.org.kinds import PlaceKind
from minhu.triage.types import DuplicateHint

from . import core
from .models import Incident, IncidentMember, OrderSignature, RepeatLink

log = logging.getLogger(__name__)

PHONE_LOOKBACK = timedelta(days=180)
PHONE_ROWS = 20
PLACE_ROWS = 40
COMMUNITY_ROWS = 40
MERGED = "merged"
OPEN_STATES = {"registered", "dispatched", "handling", "return_review", "replied",
               "dissatisfied_review"}

# --- The city's place names, once per process -------------------------------------

_gazetteer: core.Gazetteer | None = None
_lock = threading.Lock()


def _kind_prefix(kind: str) -> str:
    return {PlaceKind.ROAD: "r", PlaceKind.LANDMARK: "l"}.get(kind, "c")


def place_key(place) -> str:
    """A building counts as its compound: callers name either for one problem."""
    if place is None:
        return ""
    if place.kind == PlaceKind.BUILDING and place.parent_id:
        return f"c:{place.parent_id}"
    return f"{_kind_prefix(place.kind)}:{place.pk}"


def gazetteer() -> core.Gazetteer:
    global _gazetteer
    if _gazetteer is None:
        with _lock:
            if _gazetteer is None:
                from minhu.org.models import Place

                names: dict[str, str] = {}
                for pk, name, aliases, kind in (Place.objects.exclude(kind=PlaceKind.BUILDING)
                                                .values_list("pk", "name", "aliases", "kind")):
                    key = f"{_kind_prefix(kind)}:{pk}"
                    for surface in [name, *(aliases or "").split(",")]:
                        surface = surface.strip()
                        if surface:
                            names.setdefault(surface, key)
                _gazetteer = core.Gazetteer(names)
    return _gazetteer


def forget_places(**_kwargs) -> None:
    """Places changed: build the name list again on next use."""
    global _gazetteer
    _gazetteer = None


# --- Signatures -------------------------------------------------------------------


_first_levels: dict[int, str] | None = None


def _category1(order) -> str:
    """The first-level code of the order's category, from a per-process map (the
    taxonomy is small and rarely edited; ``forget_categories`` drops the map)."""
    global _first_levels
    if order.category_id is None:
        return ""
    if _first_levels is None or order.category_id not in _first_levels:
        from minhu.catalog.models import Category

        rows = list(Category.objects.values_list("pk", "code", "parent_id"))
        codes = {pk: code for pk, code, _p in rows}
        _first_levels = {pk: codes.get(parent, code) if parent else code
                         for pk, code, parent in rows}
    return _first_levels.get(order.category_id, "")


def forget_categories(**_kwargs) -> None:
    global _first_levels
    _first_levels = None


def signature_of(order) -> core.Signature:
    return core.signature(
        order.pk, order.created_at, order.content, order.address,
        phone="" if order.is_anonymous else order.citizen_phone, gazetteer=gazetteer(),
        place_key=place_key(order.place) if order.place_id else None,
        community=order.community_id, category1=_category1(order), lat=order.lat, lng=order.lng)


def _row_from(sig: core.Signature) -> OrderSignature:
    places = sorted(sig.places)
    return OrderSignature(
        order_id=sig.key, created_at=sig.at, phone=sig.phone[:20],
        place_key=(places[0] if places else "")[:60], places="|".join(places)[:200],
        community_id=sig.community, category1=sig.category1[:20],
        concepts=",".join(sorted(sig.concepts))[:300],
        problem=_grams_text(sig.grams), lat=sig.lat, lng=sig.lng)


def _grams_text(grams: Counter) -> str:
    # Each bigram as often as it occurs, most frequent first, cut at a whole bigram.
    text = " ".join(g for g, n in grams.most_common() for _ in range(n))
    return text if len(text) <= 400 else text[:400].rsplit(" ", 1)[0]


def _signature_from(row) -> core.Signature:
    """From a stored row (model or ``values()`` dict)."""
    get = row.get if isinstance(row, dict) else row.__dict__.get
    return core.Signature(
        key=get("order_id"), at=get("created_at"), phone=get("phone"),
        places=frozenset(p for p in get("places").split("|") if p),
        community=get("community_id"), category1=get("category1"),
        concepts=frozenset(c for c in get("concepts").split(",") if c),
        grams=Counter(get("problem").split()), lat=get("lat"), lng=get("lng"))


# --- Candidates and hints ---------------------------------------------------------


_COLUMNS = ("order_id", "created_at", "phone", "places", "community_id", "category1",
            "concepts", "problem", "lat", "lng")
# The few order columns a decision needs, joined in the same statement.
_ORDER_COLUMNS = ("state", "closed_at", "master_id", "parent_id")


def _candidate_sql(parts: list[tuple[str, list, int]]) -> tuple[str, list]:
    """One statement for all candidate lookups: each a limited index scan, UNION ALL-ed
    (written out, not built by the ORM: this runs for every order the desk shows)."""
    from minhu.orders.models import WorkOrder

    qn = connection.ops.quote_name
    sig, order = qn(OrderSignature._meta.db_table), qn(WorkOrder._meta.db_table)
    select = ", ".join([f"s.{qn(c)}" for c in _COLUMNS] +
                       [f"o.{qn(c)} AS {qn('o_' + c)}" for c in _ORDER_COLUMNS])
    pieces, params = [], []
    for where, values, limit in parts:
        pieces.append(f"SELECT * FROM (SELECT {select} FROM {sig} s JOIN {order} o "
                      f"ON o.{qn('id')} = s.{qn('order_id')} WHERE {where} "
                      f"ORDER BY s.{qn('created_at')} DESC LIMIT {int(limit)}) AS q{len(pieces)}")
        params.extend(values)
    return " UNION ALL ".join(pieces), params


def _when(value):
    return connection.ops.adapt_datetimefield_value(value)


def _read_time(value):
    """Raw rows from SQLite come back naive (UTC) or as text; PostgreSQL's are aware."""
    if value is None:
        return None
    parsed = value if isinstance(value, datetime) else parse_datetime(str(value))
    return parsed if parsed is None or parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _candidates(sig: core.Signature) -> list[dict]:
    """Earlier orders worth comparing, by index only: same phone (months), same place, or
    same community when the place is unknown (the incident window)."""
    qn = connection.ops.quote_name
    at = f"s.{qn('created_at')}"
    common = f"s.{qn('order_id')} <> %s AND {at} <= %s AND {at} >= %s"
    recent = [sig.key, _when(sig.at), _when(sig.at - core.INCIDENT_WINDOW)]
    parts = []
    if sig.phone:
        # "<> ''" repeats the partial index's condition, so the planner may use it.
        parts.append((f"{common} AND s.{qn('phone')} <> '' AND s.{qn('phone')} = %s",
                      [sig.key, _when(sig.at), _when(sig.at - PHONE_LOOKBACK), sig.phone],
                      PHONE_ROWS))
    for key in sorted(sig.places)[:3]:
        parts.append((f"{common} AND s.{qn('place_key')} <> '' AND s.{qn('place_key')} = %s",
                      [*recent, key], PLACE_ROWS))
    if sig.community and not sig.places:
        parts.append((f"{common} AND s.{qn('community_id')} = %s", [*recent, sig.community],
                      COMMUNITY_ROWS))
    if not parts:
        return []
    sql, params = _candidate_sql(parts)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [c[0] for c in cursor.description]
        fetched = cursor.fetchall()
    rows: dict[int, dict] = {}
    for values in fetched:
        row = dict(zip(names, values, strict=True))
        row["created_at"] = _read_time(row["created_at"])
        row["o_closed_at"] = _read_time(row["o_closed_at"])
        rows.setdefault(row["order_id"], row)
    return list(rows.values())


def _decide(sig: core.Signature) -> list[tuple[int, core.Decision]]:
    """(earlier order id, decision) for every earlier order that matches, best first.
    A merged order stands for its master: the hint names the order to merge into."""
    found: dict[int, core.Decision] = {}
    for row in _candidates(sig):
        state = row["o_state"]
        if row["o_parent_id"] is not None or state == "withdrawn":
            continue
        old = _signature_from(row)
        old.is_open = state in OPEN_STATES or state == MERGED
        old.closed_at = row["o_closed_at"]
        decision = core.compare(sig, old)
        if decision is None:
            continue
        target = row["o_master_id"] or row["order_id"]
        if target == sig.key:
            continue
        current = found.get(target)
        if current is None or _rank(decision) > _rank(current):
            found[target] = decision
    return sorted(found.items(), key=lambda item: _rank(item[1]), reverse=True)


def _rank(decision: core.Decision) -> tuple:
    return (decision.kind == "repeat", decision.score)


def find_duplicates(order, limit: int = 5) -> list[DuplicateHint]:
    """Earlier orders that look like the same matter as ``order``, best first, each with
    why (text similarity, place, time gap, same caller) and its incident if any."""
    row = OrderSignature.objects.filter(order_id=order.pk).first()
    sig = _signature_from(row) if row is not None else signature_of(order)
    decided = _decide(sig)[:limit]
    if not decided:
        return []
    incidents = dict(IncidentMember.objects.filter(order_id__in=[pk for pk, _d in decided])
                     .values_list("order_id", "incident_id"))
    return [DuplicateHint(order_id=pk, kind=d.kind, score=d.score, reason=d.reason,
                          incident_id=incidents.get(pk)) for pk, d in decided]


# --- Recording at registration -------------------------------------------------------


def record_registration(order) -> None:
    """Keep the order's signature and record what it repeats or joins (suggestions)."""
    sig = signature_of(order)
    row = _row_from(sig)
    decided = _decide(sig)
    repeat = next(((pk, d) for pk, d in decided if d.kind == "repeat"), None)
    incident = next(((pk, d) for pk, d in decided if d.kind == "incident"), None)
    if repeat is not None:
        earlier_pk, decision = repeat
        previous = OrderSignature.objects.filter(order_id=earlier_pk).values_list(
            "repeat_count", flat=True).first() or 0
        row.repeat_count = previous + 1
        RepeatLink.objects.get_or_create(order_id=order.pk, earlier_id=earlier_pk, defaults=dict(
            score=decision.score, reason=decision.reason[:200], created_at=clock.now()))
    row.save()
    if incident is not None:
        join_incident(order, *incident)


def join_incident(order, earlier_pk: int, decision: core.Decision) -> Incident:
    now = order.created_at
    member = IncidentMember.objects.select_related("incident").filter(
        order_id=earlier_pk).first()
    if member is not None:
        incident = Incident.objects.select_for_update().get(pk=member.incident_id)
        incident.size += 1
        incident.last_seen_at = max(incident.last_seen_at, now)
        incident.is_open = True
        incident.save(update_fields=["size", "last_seen_at", "is_open"])
    else:
        from minhu.orders.models import WorkOrder

        earlier = WorkOrder.objects.select_related("place").get(pk=earlier_pk)
        incident = Incident.objects.create(
            master=earlier, category=earlier.category or order.category,
            community_id=earlier.community_id or order.community_id,
            place=_compound(earlier.place or order.place),
            place_label=(earlier.address or order.address)[:200],
            opened_at=earlier.created_at, last_seen_at=now, size=2)
        IncidentMember.objects.create(incident=incident, order=earlier, score=1.0,
                                      reason="首次来电", joined_at=earlier.created_at)
    IncidentMember.objects.create(incident=incident, order=order, score=decision.score,
                                  reason=decision.reason[:200], joined_at=now)
    return incident


def _compound(place):
    if place is not None and place.kind == PlaceKind.BUILDING and place.parent_id:
        return place.parent
    return place


FINAL_STATES = ("closed", "withdrawn", "merged")


def settle_incident(order) -> None:
    """An incident is over once none of its orders is still being worked on."""
    incident_id = (IncidentMember.objects.filter(order_id=order.pk)
                   .values_list("incident_id", flat=True).first())
    if incident_id is None:
        return
    from minhu.orders.models import WorkOrder

    live = (WorkOrder.objects.filter(dedup_incident__incident_id=incident_id)
            .exclude(pk=order.pk).exclude(state__in=FINAL_STATES).exists())
    Incident.objects.filter(pk=incident_id).update(
        is_open=live or order.state not in FINAL_STATES)


def on_event_recorded(sender, order, event, **kwargs) -> None:
    """Registration: detect; an order of an incident finished or reopened: settle the
    incident. Never let a suggestion break the action itself."""
    if event.action == "register":
        work = record_registration
    elif event.to_state != event.from_state and (event.to_state in FINAL_STATES
                                                 or event.from_state in FINAL_STATES):
        work = settle_incident
    else:
        return
    try:
        with transaction.atomic():
            work(order)
    except Exception:  # a suggestion lost is better than a request lost
        log.exception("duplicate detection failed for order %s", order.pk)


# --- Orders registered before detection was installed ------------------------------------


def backfill(since=None, *, batch: int = 5000, progress=None) -> int:
    """Write the signature of every order (since ``since``) that has none, in batches by
    primary key. Only signatures: past repeats and incidents are not reconstructed."""
    from minhu.orders.models import WorkOrder

    qs = WorkOrder.objects.filter(dedup_signature__isnull=True, parent__isnull=True)
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    qs = qs.select_related("place", "category", "category__parent").order_by("pk")
    gazetteer()  # once, before the loop
    written, last = 0, 0
    while True:
        chunk = list(qs.filter(pk__gt=last)[:batch])
        if not chunk:
            return written
        OrderSignature.objects.bulk_create([_row_from(signature_of(o)) for o in chunk],
                                           ignore_conflicts=True)
        written += len(chunk)
        last = chunk[-1].pk
        if progress:
            progress(written)
