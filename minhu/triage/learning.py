"""The learning loop's first half: write down every time a person decided differently
from what triage proposed, so the next training can learn from it (``Correction``).

It listens to ``event_recorded`` (inside the action's transaction), so a correction is
committed together with the dispatch that caused it, or not at all. Only people count:
channel and triage service accounts (created by ``intake.actions.service_account``
without a usable password) and platform events without an actor are ignored, so an
auto-dispatch never "corrects" itself.

Which events change what (every ``record(`` in ``orders/actions`` and ``patrol``):

* ``dispatch``: category and urgency (``_retriage``), the request type as registered, and
  the lead unit;
* ``reassign`` and an approved ``review_return`` that names a new unit: the lead unit;
* ``merge`` / ``unmerge``: the order was (un)linked to a master;
* any other event whose data carries a ``category`` or ``urgency`` change (a
  re-classification without dispatch).

Left out on purpose: ``escalate`` (a supervisor moves the lead one level up after
handling started; the former lead stays as co-handler, so it says nothing about
routing), ``sub_dispatch`` (down the tree inside the lead unit), ``forward`` (to a
sub-centre, not a handling unit), ``close_on_spot`` (a service account).

Cost per event: nothing for the other events; one indexed read of the order's
``TriageRecord`` for the watched ones, and nothing more when there is none.
"""

from __future__ import annotations

import logging
from functools import lru_cache

from django.db import transaction

from .models import Correction, CorrectionKind, TriageRecord

log = logging.getLogger(__name__)

ROUTING_EVENTS = frozenset({"dispatch", "reassign", "review_return"})
MERGE_EVENTS = frozenset({"merge"})
UNMERGE_EVENTS = frozenset({"unmerge"})
WATCHED = ROUTING_EVENTS | MERGE_EVENTS | UNMERGE_EVENTS
_FIELDS = ("category_code", "type_code", "urgency_code", "lead_unit_id", "lead_unit__code")


def is_person(user) -> bool:
    """A member of staff acting themselves, not a channel's or triage's service account."""
    return (user is not None and getattr(user, "pk", None) is not None
            and user.has_usable_password())


@lru_cache(maxsize=1)
def _category_codes() -> dict[int, str]:
    from minhu.catalog.models import Category

    return dict(Category.objects.values_list("pk", "code"))


def forget_categories(**_kwargs) -> None:
    """Categories changed (admin edit): rebuild the id → code map on next use."""
    _category_codes.cache_clear()


def _category_code(order) -> str:
    from minhu.catalog.models import Category
    from minhu.orders.models import WorkOrder

    if order.category_id is None:
        return ""
    if WorkOrder.category.is_cached(order) and order.category is not None:
        return order.category.code
    code = _category_codes().get(order.category_id)
    if code is None:  # created after the map was built
        forget_categories()
        code = Category.objects.filter(pk=order.category_id).values_list("code", flat=True) \
            .first() or ""
    return code


def _lead_code(order) -> str:
    from minhu.orders.models import WorkOrder

    if order.lead_unit_id is None:
        return ""
    if WorkOrder.lead_unit.is_cached(order) and order.lead_unit is not None:
        return order.lead_unit.code
    from minhu.org.models import Unit

    return Unit.objects.filter(pk=order.lead_unit_id).values_list("code", flat=True).first() \
        or ""


def _same_category(proposed: str, chosen: str) -> bool:
    # A first-level proposal (CG) agrees with any of its second-level codes (CG03).
    return proposed == chosen or (len(proposed) < len(chosen) and chosen.startswith(proposed))


def _routing_corrections(order, event, rec: dict) -> list[tuple[str, str, str]]:
    out: list[tuple[str, str, str]] = []
    data = event.data or {}
    classifies = event.action == "dispatch" or "category" in data or "urgency" in data
    if classifies:
        chosen = _category_code(order)
        if rec["category_code"] and chosen and not _same_category(rec["category_code"], chosen):
            out.append((CorrectionKind.CATEGORY, rec["category_code"], chosen))
        urgency = order.urgency.code if order.urgency_id else ""
        if rec["urgency_code"] and urgency and rec["urgency_code"] != urgency:
            out.append((CorrectionKind.URGENCY, rec["urgency_code"], urgency))
    if event.action == "dispatch":
        kind = order.request_type.code if order.request_type_id else ""
        if rec["type_code"] and kind and rec["type_code"] != kind:
            out.append((CorrectionKind.TYPE, rec["type_code"], kind))
    if event.action in ROUTING_EVENTS and order.lead_unit_id is not None:
        if event.action == "review_return" and not data.get("approve"):
            return out  # rejected: the unit keeps the order, nothing was decided anew
        if rec["lead_unit_id"] and rec["lead_unit_id"] != order.lead_unit_id:
            out.append((CorrectionKind.UNIT, rec["lead_unit__code"] or "", _lead_code(order)))
    return out


def _suggested_numbers(detail: dict) -> dict[int, str]:
    """Order id → number of the duplicates triage suggested (first few only)."""
    from minhu.orders.models import WorkOrder

    ids = []
    for hint in (detail or {}).get("duplicates") or []:
        oid = hint.get("order_id") if isinstance(hint, dict) else None
        if isinstance(oid, int):
            ids.append(oid)
    if not ids:
        return {}
    numbers = dict(WorkOrder.objects.filter(pk__in=ids[:5]).values_list("pk", "number"))
    return {i: numbers[i] for i in ids[:5] if i in numbers}  # in triage's order


def _merge_corrections(order, event, detail: dict) -> list[tuple[str, str, str]]:
    data = event.data or {}
    if event.action in MERGE_EVENTS:
        chosen = str(data.get("master") or "")
        suggested = _suggested_numbers(detail)
        # The suggestion the person followed, else triage's first one ("" = none).
        proposed = chosen if chosen in suggested.values() else next(iter(suggested.values()), "")
        return [(CorrectionKind.MERGE, proposed, chosen)]
    was = str(data.get("master") or data.get("from") or "")
    return [(CorrectionKind.UNMERGE, was, "")]


def on_event_recorded(sender, order, event, **kwargs) -> None:
    """``event_recorded`` receiver: write the corrections this event makes, if any.

    Learning must never stand in the way of the dispatch itself: a failure here is logged
    and the action goes on (the write sits in its own savepoint for that)."""
    data = event.data or {}
    if event.action not in WATCHED and "category" not in data and "urgency" not in data:
        return
    actor = event.actor
    if not is_person(actor):
        return
    merging = event.action in MERGE_EVENTS or event.action in UNMERGE_EVENTS
    fields = (*_FIELDS, "detail") if event.action in MERGE_EVENTS else _FIELDS
    rec = TriageRecord.objects.filter(order_id=order.pk).values(*fields).first()
    if rec is None:
        return
    try:
        found = (_merge_corrections(order, event, rec.get("detail") or {}) if merging
                 else _routing_corrections(order, event, rec))
        if found:
            with transaction.atomic():
                Correction.objects.bulk_create([
                    Correction(order_id=order.pk, kind=kind, proposed=proposed[:40],
                               chosen=chosen[:40], actor=actor, created_at=event.at)
                    for kind, proposed, chosen in found
                ])
    except Exception:  # noqa: BLE001 - see the docstring
        log.exception("triage correction for order %s (%s) not recorded", order.pk,
                      event.action)
