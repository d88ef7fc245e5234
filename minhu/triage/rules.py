"""Administrators' keyword rules (``KeywordRule``), which beat the model.

Pattern syntax: ``a|b`` fires when any alternative matches, ``a+b`` when all its parts
occur (``燃气+泄漏|煤气味`` = (燃气 and 泄漏) or 煤气味). Any exclude word silences the
rule. Per target (category, type, urgency) the first firing rule by priority wins.

Rules are compiled once per process and reloaded when one is saved or deleted here, and at
the latest every ``RELOAD_SECONDS`` (another process may have changed them). Hit counters
are counted in memory and written with one ``F()`` update per rule now and then, so a
request never waits on a counter.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import KeywordRule

log = logging.getLogger(__name__)

RELOAD_SECONDS = 30.0
FLUSH_SECONDS = 10.0


@dataclass(frozen=True)
class CompiledRule:
    pk: int
    name: str
    target: str
    value: str
    alternatives: tuple[tuple[str, ...], ...]  # any alternative; all words within one
    excludes: tuple[str, ...]

    def match(self, text: str) -> str:
        """The words that fired, or "" (exclude words and empty patterns never fire)."""
        if any(word in text for word in self.excludes):
            return ""
        for words in self.alternatives:
            if words and all(word in text for word in words):
                return "+".join(words)
        return ""


def parse_pattern(pattern: str) -> tuple[tuple[str, ...], ...]:
    alternatives = []
    for alt in (pattern or "").replace("｜", "|").replace("＋", "+").split("|"):
        words = tuple(w.strip() for w in alt.split("+") if w.strip())
        if words:
            alternatives.append(words)
    return tuple(alternatives)


def parse_excludes(exclude: str) -> tuple[str, ...]:
    return tuple(w.strip() for w in (exclude or "").replace("｜", "|").split("|") if w.strip())


def compile_rule(rule: KeywordRule) -> CompiledRule:
    return CompiledRule(rule.pk, rule.name, rule.target, rule.value.strip(),
                        parse_pattern(rule.pattern), parse_excludes(rule.exclude))


class _Cache:
    def __init__(self):
        self.lock = threading.Lock()
        self.rules: tuple[CompiledRule, ...] | None = None
        self.loaded_at = 0.0
        self.pending: Counter = Counter()
        self.flushed_at = time.monotonic()


_cache = _Cache()


def active_rules() -> tuple[CompiledRule, ...]:
    now = time.monotonic()
    rules = _cache.rules
    if rules is None or now - _cache.loaded_at > RELOAD_SECONDS:
        rules = tuple(compile_rule(r) for r in
                      KeywordRule.objects.filter(is_active=True).order_by("priority", "pk"))
        with _cache.lock:
            _cache.rules, _cache.loaded_at = rules, now
    return rules


def invalidate() -> None:
    with _cache.lock:
        _cache.rules = None


@receiver(post_save, sender=KeywordRule, dispatch_uid="triage_rules_saved")
@receiver(post_delete, sender=KeywordRule, dispatch_uid="triage_rules_deleted")
def _rules_changed(**_kwargs) -> None:
    invalidate()


@dataclass(frozen=True)
class RuleHit:
    rule: CompiledRule
    words: str


def apply(text: str) -> dict[str, RuleHit]:
    """The winning rule per target for this text (priority order, first match wins)."""
    won: dict[str, RuleHit] = {}
    for rule in active_rules():
        if rule.target in won:
            continue
        words = rule.match(text)
        if words:
            won[rule.target] = RuleHit(rule, words)
    if won:
        count_hits([h.rule.pk for h in won.values()])
    return won


def count_hits(pks: list[int]) -> None:
    with _cache.lock:
        _cache.pending.update(pks)
        due = time.monotonic() - _cache.flushed_at > FLUSH_SECONDS
    if due:
        flush_hits()


def discard_hits() -> None:
    """Forget counted hits not yet written (tests, after a rolled-back transaction)."""
    with _cache.lock:
        _cache.pending.clear()


def flush_hits() -> None:
    """Write the counted hits: one UPDATE per rule, hits = hits + n."""
    with _cache.lock:
        pending, _cache.pending = _cache.pending, Counter()
        _cache.flushed_at = time.monotonic()
    if not pending:
        return
    try:
        with transaction.atomic():  # a savepoint: a failure leaves the caller's work intact
            for pk, n in sorted(pending.items()):
                KeywordRule.objects.filter(pk=pk).update(hits=F("hits") + n)
    except Exception:  # a counter must never break a request; try again next time
        log.exception("keyword rule hit counters not written")
        with _cache.lock:
            _cache.pending.update(pending)
