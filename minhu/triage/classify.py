"""``classify(text, title)``: type, category (both levels) and urgency of one request.

Order of authority, lowest first: the active model (calibrated probabilities), then for the
request type the cue words of the opening sentence (``typecues``), then the
administrators' keyword rules (they replace the model's choice for their target), then the
built-in emergency lexicon for urgency (a rule may not talk an emergency down: missing a
gas leak costs more than a false alarm).
"""

from __future__ import annotations

import numpy as np

from . import emergency, modelstore, rules, typecues
from .bundle import ModelBundle, join_title
from .types import Classification, Guess

TOP_CATEGORIES, TOP_FIRST_LEVELS = 5, 3
RULE_CONFIDENCE = 0.95  # an administrator's rule is near certain, not certain
EMERGENCY_CONFIDENCE = 0.95
# The model rarely gives 紧急 the majority on calls worded without the usual alarm words;
# a missed emergency costs more than a downgraded false alarm, so 紧急 leads from this
# probability on (chosen on the dev emergency set and dev letters: no false alarm there).
URGENT_RECALL_THRESHOLD = 0.15


def classify(text: str, title: str = "") -> Classification:
    bundle, version = modelstore.current()
    full = join_title(text or "", title or "")
    proba = bundle.proba([full])
    source = f"模型 v{version}" if version else "内置初始模型"
    result = Classification(model_version=version)

    cat_classes = bundle.classes("category")
    cat_p = proba["category"][0]
    result.categories = _top(cat_classes, cat_p, TOP_CATEGORIES, source,
                             _keyword_evidence(full))
    l1_classes, l1_p = bundle.first_level(proba["category"][:1])
    result.first_levels = _top(l1_classes, l1_p[0], TOP_FIRST_LEVELS, source)
    if "type" in bundle.heads:
        result.types = _top(bundle.classes("type"), proba["type"][0], 6, source)
    if "urgency" in bundle.heads:
        result.urgencies = _top(bundle.classes("urgency"), proba["urgency"][0], 4, source)
        result.urgencies = _recall_first(result.urgencies)

    found = typecues.cue(text or "", title or "")
    if found and result.types:
        result.types = _promote(result.types, found[0], f"诉求用语：{found[1]}",
                                floor=typecues.CUE_CONFIDENCE)

    for target, hit in rules.apply(full).items():
        evidence = f"关键词规则：{hit.rule.name}（{hit.words}）"
        if target == "category":
            result.categories = _promote(result.categories, hit.rule.value, evidence)
            result.first_levels = _promote(result.first_levels, _parent(bundle, hit.rule.value),
                                           evidence)
        elif target == "type":
            result.types = _promote(result.types, hit.rule.value, evidence)
        elif target == "urgency":
            result.urgencies = _promote(result.urgencies, hit.rule.value, evidence)
        result.rule_hits.append(hit.rule.name)

    hits = emergency.scan(full)
    if hits:
        words = "、".join(h.words for h in hits[:3])
        names = "、".join(h.name for h in hits[:3])
        result.urgencies = _promote(result.urgencies, emergency_code(),
                                    f"紧急情形：{names}（{words}）",
                                    floor=EMERGENCY_CONFIDENCE)
    return result


def _recall_first(guesses: list[Guess]) -> list[Guess]:
    """Move 紧急 to the front when its probability reaches the recall threshold."""
    code = emergency_code()
    urgent = next((g for g in guesses if g.code == code), None)
    if urgent is None or guesses[0].code == code or urgent.confidence < URGENT_RECALL_THRESHOLD:
        return guesses
    note = f"{urgent.evidence}；紧急概率达到 {URGENT_RECALL_THRESHOLD:.2f}，按紧急优先"
    return [Guess(code, urgent.confidence, note)] + [g for g in guesses if g.code != code]


def emergency_code() -> str:
    return "urgent"


def _top(classes, p: np.ndarray, k: int, source: str, evidence: dict | None = None
         ) -> list[Guess]:
    order = np.argsort(-p, kind="stable")[:k]
    out = []
    for i in order:
        code = str(classes[i])
        words = (evidence or {}).get(code)
        note = f"{source}；关键词：{words}" if words else source
        out.append(Guess(code, round(float(p[i]), 4), note))
    return out


def _promote(guesses: list[Guess], code: str, evidence: str, floor: float = RULE_CONFIDENCE
             ) -> list[Guess]:
    """Put ``code`` first with at least ``floor`` confidence; the others share the rest in
    their old proportions, so the list still sums to at most one."""
    if not code:
        return guesses
    old = next((g for g in guesses if g.code == code), None)
    conf = max(floor, old.confidence if old else 0.0)
    others = [g for g in guesses if g.code != code]
    rest = sum(g.confidence for g in others)
    scale = (1 - conf) / rest if rest > 1 - conf and rest > 0 else 1.0
    return [Guess(code, round(conf, 4), evidence)] + [
        Guess(g.code, round(g.confidence * scale, 4), g.evidence) for g in others]


def _parent(bundle: ModelBundle, code: str) -> str:
    return bundle.parent_of.get(code, code[:2])


_KEYWORDS: dict[str, tuple[str, ...]] | None = None


def _category_keywords() -> dict[str, tuple[str, ...]]:
    """Taxonomy keywords per second-level code (the shipped taxonomy; evidence only)."""
    global _KEYWORDS
    if _KEYWORDS is None:
        from minhu.catalog.taxonomy import TAXONOMY

        _KEYWORDS = {child.code: tuple(w.strip() for w in child.keywords.split(",") if w.strip())
                     for node in TAXONOMY for child in node.children}
    return _KEYWORDS


def _keyword_evidence(text: str) -> dict[str, str]:
    out = {}
    for code, words in _category_keywords().items():
        found = [w for w in words if w in text]
        if found:
            out[code] = "、".join(found[:3])
    return out
