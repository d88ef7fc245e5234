"""Training triage models: split, fit, calibrate, measure.

``train_bundle(rows)`` is the core used by the cold start and by city training: it holds
out 10 % (the newest 10 % for city history, a stratified 10 % otherwise), fits the three
heads on the rest, fits each head's softmax temperature on the held-out rows and measures
them there (the figures a version is judged by). Small training sets are then refitted on
everything with the same temperatures; large ones are not (one fit keeps a million orders
within the time budget, and 90 % of a million is plenty).

``train(rows)`` wraps it into a stored ``ModelVersion``.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence

from . import emergency
from .bundle import HEADS, ModelBundle, Row, calibrate_bundle, fit_bundle, join_title
from .evaluation import URGENT, summarize, urgent_recall

HOLDOUT = 0.1
REFIT_BELOW = 100_000
SPLIT_SEED = 7

Progress = Callable[[str], None]


def split_rows(rows: Sequence[Row], *, by_time: bool, share: float = HOLDOUT
               ) -> tuple[list[Row], list[Row]]:
    """(train, held out). Rows without a category (keywords) always train. ``by_time``
    expects rows oldest first and holds out the newest ones."""
    labelled = [i for i, r in enumerate(rows) if r.l2]
    held: set[int] = set()
    if by_time:
        k = int(len(labelled) * share)
        held = set(labelled[len(labelled) - k:]) if k else set()
    else:
        by_class: dict[str, list[int]] = defaultdict(list)
        for i in labelled:
            by_class[rows[i].l2].append(i)
        rng = random.Random(SPLIT_SEED)
        for label in sorted(by_class):
            members = by_class[label]
            k = int(round(len(members) * share))
            if len(members) >= 5 and k:
                held.update(rng.sample(members, k))
    train = [r for i, r in enumerate(rows) if i not in held]
    test = [rows[i] for i in sorted(held)]
    return train, test


def measure(bundle: ModelBundle, rows: Sequence[Row]) -> dict:
    """Held-out figures per head, as stored in ``ModelVersion.metrics``."""
    if not rows:
        return {}
    texts = [join_title(r.text, r.title) for r in rows]
    proba = bundle.proba(texts)
    out: dict = {}
    if "category" in bundle.heads:
        idx = [i for i, r in enumerate(rows) if r.l2]
        cats = bundle.classes("category")
        out["category"] = summarize([rows[i].l2 for i in idx], cats, proba["category"][idx],
                                    per_class=False)
        l1, l1p = bundle.first_level(proba["category"][idx])
        out["first_level"] = summarize([bundle.parent_of.get(rows[i].l2, rows[i].l2[:2])
                                        for i in idx], l1, l1p, per_class=False)
    if "type" in bundle.heads:
        idx = [i for i, r in enumerate(rows) if r.type]
        if idx:
            out["type"] = summarize([rows[i].type for i in idx], bundle.classes("type"),
                                    proba["type"][idx], per_class=False)
    if "urgency" in bundle.heads:
        idx = [i for i, r in enumerate(rows) if r.urgency]
        if idx:
            classes = list(bundle.classes("urgency"))
            scores = proba["urgency"][idx].copy()
            if URGENT in classes:  # the lexicon forces 紧急 in production: measure that
                col = classes.index(URGENT)
                for j, i in enumerate(idx):
                    if emergency.is_emergency(texts[i]):
                        scores[j, col] = 2.0
            truth = [rows[i].urgency for i in idx]
            out["urgency"] = summarize(truth, classes, scores, per_class=False)
            pred = [classes[k] for k in scores.argmax(axis=1)]
            out["urgency"]["urgent_recall"] = urgent_recall(truth, pred)
    return out


def train_bundle(rows: Iterable[Row], *, holdout_by_time: bool, progress: Progress | None = None,
                 parent_of: dict[str, str] | None = None, always_train: Sequence[Row] = (),
                 held_out: list[Row] | None = None) -> tuple[ModelBundle, dict]:
    """Fit, calibrate and measure. ``always_train`` rows (the cold-start corpus mixed into
    city training) are never held out; ``held_out``, when a list, receives the held-out
    rows so a caller can compare another model on exactly the same data."""
    from .coldstart import parent_map

    say = progress or (lambda _msg: None)
    rows = list(rows)
    parent_of = parent_of or parent_map()
    train_rows, test_rows = split_rows(rows, by_time=holdout_by_time)
    train_rows += list(always_train)
    rows += list(always_train)
    if held_out is not None:
        held_out.extend(test_rows)
    say(f"训练样本 {len(train_rows)} 条，留出评估 {len(test_rows)} 条")
    started = time.monotonic()
    bundle = fit_bundle(train_rows, parent_of)
    say(f"模型训练完成，用时 {time.monotonic() - started:.1f} 秒")
    calibrate_bundle(bundle, test_rows)
    metrics = measure(bundle, test_rows)
    if len(rows) < REFIT_BELOW and test_rows:
        temps = {name: head.temperature for name, head in bundle.heads.items()}
        bundle = fit_bundle(rows, parent_of)
        for name, t in temps.items():
            if name in bundle.heads:
                bundle.heads[name].temperature = t
        say("已用全部样本重新训练")
    bundle.meta.update({"n_train": len(rows), "n_holdout": len(test_rows),
                        "heads": [h for h in HEADS if h in bundle.heads]})
    return bundle, metrics


def size_of(bundle: ModelBundle) -> int:
    """Bytes the model occupies in memory (weights and lookup tables dominate)."""
    f = bundle.featurizer
    total = sum(a.nbytes for a in f.lookups) + f.idf_.nbytes
    for head in bundle.heads.values():
        total += head.W.nbytes + head.b.nbytes
    return int(total)




# --- city history -------------------------------------------------------------------------

# Orders a dispatcher (or the agent answering directly) has decided: their category is the
# label. Registered orders are still undecided; withdrawn and merged ones never were.
DECIDED_STATES = ("dispatched", "handling", "return_review", "replied", "dissatisfied_review",
                  "closed")
CORRECTED_WEIGHT = 3.0
COLD_START_SHARE_WEIGHT = 0.3  # the corpus keeps rare categories alive next to city data
CORRECTION_KINDS = ("category", "type", "urgency")


def city_orders(actor=None):
    """Decided top-level orders, oldest first. Training is a system job reading only texts
    and labels; when a person starts it, it reads what that person may see."""
    from minhu.orders.models import WorkOrder

    qs = WorkOrder.objects.all() if actor is None else WorkOrder.objects.visible_to(actor)
    return (qs.filter(state__in=DECIDED_STATES, parent__isnull=True,
                      category__parent__isnull=False)
            .order_by("created_at", "pk"))


def city_rows(actor=None, *, limit: int | None = None) -> tuple[list[Row], list[int]]:
    """(rows oldest first, pks of orders with a dispatcher correction)."""
    from .models import Correction

    corrected = set(Correction.objects.filter(kind__in=CORRECTION_KINDS)
                    .values_list("order_id", flat=True))
    qs = city_orders(actor).values_list("pk", "title", "content", "category__code",
                                        "request_type__code", "urgency__code")
    if limit:
        total = qs.count()
        qs = qs[max(0, total - limit):]  # the newest ``limit`` orders
    rows, used = [], []
    for pk, title, content, l2, typ, urg in qs.iterator(chunk_size=5000):
        weight = CORRECTED_WEIGHT if pk in corrected else 1.0
        if pk in corrected:
            used.append(pk)
        rows.append(Row(content or "", l2, typ, urg, weight, title or ""))
    return rows, used


def train(rows: Iterable[Row | tuple], *, kind: str = "city", actor=None, note: str = "",
          by_time: bool = True, always_train: Sequence[Row] = (),
          corrected_orders: Sequence[int] = (), progress: Progress | None = None,
          held_out: list[Row] | None = None):
    """Train, measure and store a new (inactive) ``ModelVersion``. ``rows`` are ``Row``s or
    ``(text, l2, type, urgency, weight)`` tuples, oldest first for city history."""
    from django.db import transaction

    from minhu.core import clock

    from .models import Correction, ModelVersion

    rows = [r if isinstance(r, Row) else Row(*r) for r in rows]
    started = time.monotonic()
    bundle, metrics = train_bundle(rows, holdout_by_time=by_time, progress=progress,
                                   always_train=always_train, held_out=held_out)
    seconds = time.monotonic() - started
    blob = bundle.dumps()
    metrics["blob_bytes"] = len(blob)
    with transaction.atomic():
        version = ModelVersion.objects.create(
            kind=kind, created_at=clock.now(), created_by=actor if getattr(actor, "pk", None)
            else None, n_train=len(rows) + len(always_train),
            n_corrections=len(corrected_orders), train_seconds=round(seconds, 2),
            size_bytes=size_of(bundle), metrics=metrics, note=note[:200], blob=blob)
        if corrected_orders:
            Correction.objects.filter(order_id__in=list(corrected_orders), used_in__isnull=True,
                                      kind__in=CORRECTION_KINDS).update(used_in=version)
    return version


def cold_start_rows() -> list[Row]:
    """The cold-start corpus at a lower weight, mixed into every city training."""
    from .coldstart import training_rows

    return [Row(r.text, r.l2, r.type, r.urgency, r.weight * COLD_START_SHARE_WEIGHT, r.title)
            for r in training_rows()]


def train_city(*, actor=None, progress: Progress | None = None, limit: int | None = None,
               note: str = "", held_out: list[Row] | None = None):
    """A version from the city's decided orders plus the cold-start corpus at low weight."""
    say = progress or (lambda _msg: None)
    rows, corrected = city_rows(actor, limit=limit)
    say(f"读取本市已派单工单 {len(rows)} 条（其中人工纠正 {len(corrected)} 条）")
    if not rows:
        from minhu.core.errors import ValidationFailed

        raise ValidationFailed("没有可用于训练的已派单工单", code="triage_no_history")
    return train(rows, kind="city", actor=actor, note=note, by_time=True,
                 always_train=cold_start_rows(),
                 corrected_orders=corrected, progress=progress, held_out=held_out)


def train_cold_start(*, actor=None, progress: Progress | None = None, note: str = ""):
    """The cold start as a stored version (so it can be activated and rolled back to)."""
    from .coldstart import fingerprint, training_rows

    version = train(training_rows(), kind="cold_start", actor=actor, by_time=False,
                    note=note or "内置语料训练", progress=progress)
    bundle = ModelBundle.loads(version.blob)
    bundle.meta.update({"fingerprint": fingerprint(), "kind": "cold_start"})
    version.blob = bundle.dumps()
    version.save(update_fields=["blob"])
    return version


def store_cold_start(*, actor=None, note: str = ""):
    """The built-in model as a stored (inactive) version, without training again: a new
    city's first entry on the versions page, to roll back to later."""
    from minhu.core import clock

    from .models import ModelKind, ModelVersion
    from .modelstore import builtin

    bundle = builtin()
    blob = bundle.dumps()
    metrics = dict(bundle.meta.get("metrics") or {})
    metrics["blob_bytes"] = len(blob)
    return ModelVersion.objects.create(
        kind=ModelKind.COLD_START, created_at=clock.now(),
        created_by=actor if getattr(actor, "pk", None) else None,
        n_train=int(bundle.meta.get("n_train") or 0),
        train_seconds=float(bundle.meta.get("train_seconds") or 0),
        size_bytes=size_of(bundle), metrics=metrics, note=(note or "内置语料训练")[:200],
        blob=blob)
