"""Where the model and the dispatchers disagree most (the learning report's figures).

Every figure is one grouped query over an indexed date range (``TriageRecord.created_at``
for what triage proposed, ``Correction.created_at`` for what people changed), so the page
stays quick with months of orders. Order numbers are shown only for orders the reader may
see (``WorkOrder.objects.visible_to``).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import TruncWeek
from django.utils import timezone

from .models import Correction, CorrectionKind, ModelVersion, TriageRecord

TOP_PAIRS = 20
TOP_UNITS = 15
SAMPLES = 3
LATEST_TROUBLE = 20


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _decided(start: datetime, end: datetime):
    """Orders triage proposed for in the period that a person then dispatched."""
    return TriageRecord.objects.filter(created_at__gte=start, created_at__lt=end,
                                       auto_dispatched=False, order__dispatched_at__isnull=False)


def _corrected(kind: str) -> Exists:
    return Exists(Correction.objects.filter(order_id=OuterRef("order_id"), kind=kind))


def weekly_agreement(start: datetime, end: datetime) -> list[dict]:
    """Per week: how often the dispatcher kept triage's category and lead unit."""
    has_cat, has_unit = ~Q(category_code=""), Q(lead_unit__isnull=False)
    rows = (_decided(start, end)
            .annotate(week=TruncWeek("created_at"))
            .values("week")
            .annotate(n=Count("pk"),
                      cat_n=Count("pk", filter=has_cat),
                      cat_ok=Count("pk", filter=has_cat & ~_corrected(CorrectionKind.CATEGORY)),
                      unit_n=Count("pk", filter=has_unit),
                      unit_ok=Count("pk", filter=has_unit & ~_corrected(CorrectionKind.UNIT)))
            .order_by("week"))
    out = []
    for r in rows:
        week = r["week"]
        day = (timezone.localtime(week) if timezone.is_aware(week) else week).date() \
            if isinstance(week, datetime) else week
        out.append({"week": day.isoformat(), "n": r["n"],
                    "category_pct": _pct(r["cat_ok"], r["cat_n"]),
                    "unit_pct": _pct(r["unit_ok"], r["unit_n"]),
                    "cat_n": r["cat_n"], "cat_ok": r["cat_ok"],
                    "unit_n": r["unit_n"], "unit_ok": r["unit_ok"]})
    return out


def totals(weeks: list[dict]) -> dict:
    cat_n, cat_ok = sum(w["cat_n"] for w in weeks), sum(w["cat_ok"] for w in weeks)
    unit_n, unit_ok = sum(w["unit_n"] for w in weeks), sum(w["unit_ok"] for w in weeks)
    return {"decided": sum(w["n"] for w in weeks),
            "category_pct": _pct(cat_ok, cat_n), "unit_pct": _pct(unit_ok, unit_n)}


def _names(model, codes) -> dict[str, str]:
    codes = {c for c in codes if c}
    return dict(model.objects.filter(code__in=codes).values_list("code", "name")) if codes \
        else {}


def _visible_numbers(user, ids) -> dict[int, str]:
    from minhu.orders.models import WorkOrder

    ids = list(set(ids))
    if not ids:
        return {}
    return dict(WorkOrder.objects.visible_to(user).filter(pk__in=ids)
                .values_list("pk", "number"))


def confusion_pairs(user, start: datetime, end: datetime, limit: int = TOP_PAIRS) -> list[dict]:
    """Model said X, the dispatcher chose Y: the commonest pairs, with sample orders."""
    from minhu.catalog.models import Category

    period = Correction.objects.filter(kind=CorrectionKind.CATEGORY, created_at__gte=start,
                                       created_at__lt=end)
    pairs = list(period.values("proposed", "chosen").annotate(n=Count("pk"))
                 .order_by("-n", "proposed", "chosen")[:limit])
    if not pairs:
        return []
    wanted = {(p["proposed"], p["chosen"]) for p in pairs}
    samples: dict[tuple, list[int]] = defaultdict(list)
    recent = (period.filter(proposed__in={p for p, _ in wanted}, chosen__in={c for _, c in wanted})
              .order_by("-created_at").values_list("proposed", "chosen", "order_id")
              [:limit * SAMPLES * 20])
    for proposed, chosen, order_id in recent:
        bucket = samples[(proposed, chosen)]
        if (proposed, chosen) in wanted and len(bucket) < SAMPLES and order_id not in bucket:
            bucket.append(order_id)
    numbers = _visible_numbers(user, [i for ids in samples.values() for i in ids])
    names = _names(Category, {p["proposed"] for p in pairs} | {p["chosen"] for p in pairs})
    return [{**p, "proposed_name": names.get(p["proposed"], ""),
             "chosen_name": names.get(p["chosen"], ""),
             "samples": [numbers[i] for i in samples[(p["proposed"], p["chosen"])]
                         if i in numbers]}
            for p in pairs]


def overridden_units(start: datetime, end: datetime, limit: int = TOP_UNITS) -> list[dict]:
    """The units triage proposed that dispatchers most often replaced, and by whom."""
    from minhu.org.models import Unit

    period = Correction.objects.filter(kind=CorrectionKind.UNIT, created_at__gte=start,
                                       created_at__lt=end)
    top = list(period.values("proposed").annotate(n=Count("pk")).order_by("-n", "proposed")
               [:limit])
    codes = [t["proposed"] for t in top]
    if not codes:
        return []
    # Out of how many decided orders (by a person or auto-dispatched) it was proposed for.
    proposed = dict(TriageRecord.objects.filter(created_at__gte=start, created_at__lt=end,
                                                lead_unit__code__in=codes,
                                                order__dispatched_at__isnull=False)
                    .values("lead_unit__code").annotate(n=Count("pk"))
                    .values_list("lead_unit__code", "n"))
    instead: dict[str, tuple[str, int]] = {}
    for r in (period.filter(proposed__in=codes).values("proposed", "chosen")
              .annotate(n=Count("pk")).order_by("-n", "chosen")):
        instead.setdefault(r["proposed"], (r["chosen"], r["n"]))
    names = _names(Unit, set(codes) | {c for c, _ in instead.values()})
    out = []
    for t in top:
        code = t["proposed"]
        chosen, chosen_n = instead.get(code, ("", 0))
        out.append({"code": code, "name": names.get(code, code), "overridden": t["n"],
                    "proposed": proposed.get(code, 0),
                    "rate": _pct(t["n"], proposed.get(code, 0)),
                    "instead": names.get(chosen, chosen), "instead_n": chosen_n})
    return out


def auto_dispatch_trouble(user, start: datetime, end: datetime) -> dict:
    """Auto-dispatched orders that were later reassigned or returned by the unit."""
    from minhu.orders.models import TimelineEvent

    def happened(action: str) -> Exists:
        return Exists(TimelineEvent.objects.filter(order_id=OuterRef("order_id"),
                                                   action=action))

    auto = TriageRecord.objects.filter(created_at__gte=start, created_at__lt=end,
                                       auto_dispatched=True)
    marked = auto.annotate(was_reassigned=happened("reassign"), was_returned=happened("return"))
    trouble = marked.filter(Q(was_reassigned=True) | Q(was_returned=True))
    counts = auto.aggregate(total=Count("pk"),
                            reassigned=Count("pk", filter=happened("reassign")),
                            returned=Count("pk", filter=happened("return")))
    latest = list(trouble.order_by("-created_at").values(
        "order_id", "created_at", "was_reassigned", "was_returned", "lead_unit__name",
        "order__lead_unit__name")[:LATEST_TROUBLE])
    numbers = _visible_numbers(user, [r["order_id"] for r in latest])
    rows = [{"number": numbers[r["order_id"]], "at": r["created_at"],
             "reassigned": r["was_reassigned"], "returned": r["was_returned"],
             "proposed": r["lead_unit__name"] or "", "now": r["order__lead_unit__name"] or ""}
            for r in latest if r["order_id"] in numbers]
    total = counts["total"]
    return {"total": total, "reassigned": counts["reassigned"], "returned": counts["returned"],
            "trouble_pct": _pct(trouble.count(), total), "rows": rows}


def corrections_by_version(start: datetime, end: datetime) -> list[dict]:
    """Corrections of the period: which training used them (per model version), and those
    still waiting for the next training (first row)."""
    per: dict[int | None, dict] = {}
    for r in (Correction.objects.filter(created_at__gte=start, created_at__lt=end)
              .values("used_in", "kind").annotate(n=Count("pk"))):
        row = per.setdefault(r["used_in"], {"version": r["used_in"], "total": 0,
                                            **{k: 0 for k in CorrectionKind.values}})
        row[r["kind"]] = r["n"]
        row["total"] += r["n"]
    versions = {v.pk: v for v in ModelVersion.objects.filter(pk__in=[k for k in per if k])
                .only("pk", "kind", "created_at", "is_active")}
    pending = per.pop(None, None)
    rows = [{**row, "model": versions.get(pk)} for pk, row in
            sorted(per.items(), key=lambda kv: -kv[0])]
    return ([{**pending, "model": None}] if pending else []) + rows
