"""Rebuild ``RoutingStat``: which unit finally solved orders of each category in each
community, and how often each unit returned them, over ``TriagePolicy.history_days``.

Two aggregate queries (closed orders by final lead unit; returns by returning unit), one
bulk upsert and one delete of the cells nobody touched any more, all in one transaction so
a suggestion never reads half a rebuild. Nothing is read row by row: on 1.8 million
orders the work is the database's two GROUP BYs over the (state, created_at) index.

Run nightly by Huey (``rebuild_routing_stats_nightly``) and by hand with
``minhu triage-stats``.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from django.db import transaction
from django.db.models import Count
from django.db.models.functions import Coalesce
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from minhu.core import clock
from minhu.orders.models import ReturnRequest, WorkOrder
from minhu.orders.states import CloseReason, ReturnKind, ReviewStatus, State

from .models import RoutingStat, TriagePolicy

log = logging.getLogger(__name__)
BATCH = 2000


def _solved(since) -> dict[tuple[int, int, int], int]:
    """Closed top-level orders registered since ``since``, by (community, category, the
    unit that finally led, or else answered)."""
    rows = (
        WorkOrder.objects
        .filter(state=State.CLOSED, created_at__gte=since, parent__isnull=True,
                community__isnull=False, category__isnull=False)
        .exclude(close_reason=CloseReason.DIRECT)
        .annotate(final_unit=Coalesce("lead_unit_id", "reply_unit_id"))
        .filter(final_unit__isnull=False)
        .values("community_id", "category_id", "final_unit")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {(r["community_id"], r["category_id"], r["final_unit"]): r["n"] for r in rows}


def _returned(since) -> dict[tuple[int, int, int], int]:
    """Returns (not rejected: a rejected return means the unit was right after all) of
    top-level orders requested since ``since``, by (community, category, returning unit)."""
    rows = (
        ReturnRequest.objects
        .filter(kind=ReturnKind.RETURN, requested_at__gte=since, order__parent__isnull=True,
                order__community__isnull=False, order__category__isnull=False)
        .exclude(status=ReviewStatus.REJECTED)
        .values("order__community_id", "order__category_id", "assignment__unit_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {(r["order__community_id"], r["order__category_id"], r["assignment__unit_id"]):
            r["n"] for r in rows}


def rebuild(days: int | None = None) -> dict:
    """Rebuild every cell for the look-back window; returns what it did (for the log and
    the command's output)."""
    started = time.monotonic()
    days = days or TriagePolicy.current().history_days
    now = clock.now()
    since = now - timedelta(days=days)
    solved = _solved(since)
    returned = _returned(since)
    keys = solved.keys() | returned.keys()
    rows = [RoutingStat(community_id=c, category_id=k, unit_id=u, solved=solved.get(key, 0),
                        returned=returned.get(key, 0), updated_at=now)
            for key in keys for (c, k, u) in [key]]
    with transaction.atomic():
        for i in range(0, len(rows), BATCH):
            RoutingStat.objects.bulk_create(
                rows[i:i + BATCH], update_conflicts=True,
                unique_fields=["community", "category", "unit"],
                update_fields=["solved", "returned", "updated_at"])
        stale, _ = RoutingStat.objects.exclude(updated_at=now).delete()
    result = {"days": days, "cells": len(rows), "solved": sum(solved.values()),
              "returned": sum(returned.values()), "removed": stale,
              "seconds": round(time.monotonic() - started, 2)}
    log.info("routing stats rebuilt: %s", result)
    return result


@db_periodic_task(crontab(hour="1", minute="45"))
@lock_task("minhu-triage-routing-stats")
def rebuild_routing_stats_nightly():
    """Nightly, when the hotline is quiet and before the retraining job (02:30); the lock
    keeps two consumers from racing."""
    return rebuild()
