"""The weekly retraining: on the policy's weekday, with enough decided orders, train a city
version and activate it only if it is not worse than the active one on the same held-out
orders (the newest 10 %; an older city model may have trained on some of them, which only
favours it, so a new version that matches it is genuinely no worse)."""

from __future__ import annotations

import logging

from django.utils import timezone

from minhu.core import clock

from .actions import do_activate_model
from .bundle import ModelBundle
from .models import ModelKind, ModelVersion, TriagePolicy
from .training import city_orders, measure, train_city

log = logging.getLogger(__name__)

TOLERANCE = 0.005  # noise on a held-out slice: "not worse" allows half a point


def retrain_if_due(*, force: bool = False) -> dict:
    """What happened, as data (for the task log and tests)."""
    policy = TriagePolicy.current()
    today = timezone.localtime(clock.now()).date()
    if not force and today.weekday() != policy.retrain_weekday:
        return {"trained": False, "reason": "not_today"}
    if not force and ModelVersion.objects.filter(
            kind=ModelKind.CITY, created_at__date=today).exists():
        return {"trained": False, "reason": "already_today"}
    decided = city_orders().count()
    if decided < policy.retrain_min_orders:
        return {"trained": False, "reason": "too_few", "orders": decided}
    held_out: list = []
    version = train_city(note="每周自动训练", held_out=held_out)
    active = ModelVersion.objects.filter(is_active=True).first()
    verdict = {"trained": True, "version": version.pk, "activated": False}
    if active is None:
        baseline = None
    else:
        baseline = measure(ModelBundle.loads(active.blob), held_out)
        version.metrics["compared_to"] = {"version": active.pk, **_headline(baseline)}
        version.save(update_fields=["metrics"])
    if baseline is None or not_worse(version.metrics, baseline):
        do_activate_model(version, None)
        verdict["activated"] = True
    log.info("weekly retrain: %s", verdict)
    return verdict


def _headline(metrics: dict) -> dict:
    return {key: metrics.get(key, {}).get("accuracy") for key in ("category", "first_level")}


def not_worse(new: dict, old: dict) -> bool:
    for key in ("category", "first_level"):
        a = new.get(key, {}).get("accuracy")
        b = old.get(key, {}).get("accuracy")
        if a is not None and b is not None and a < b - TOLERANCE:
            return False
    a = (new.get("urgency") or {}).get("urgent_recall")
    b = (old.get("urgency") or {}).get("urgent_recall")
    return not (a is not None and b is not None and a < b - TOLERANCE)
