"""Figures every evaluation reports the same way: the model version page, ``triage-train``
and ``triage-eval`` all call ``summarize``.

``summarize`` takes the true labels and a score matrix (any monotone scores: probabilities
or SVM margins), so top-3 accuracy comes from the same ranking the prediction uses.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.metrics import precision_recall_fscore_support

URGENT = "urgent"


def _r(x: float) -> float:
    return round(float(x), 4)


def summarize(y_true: Sequence[str], classes: Sequence[str], scores: np.ndarray, *,
              per_class: bool = True) -> dict:
    return summarize_ranked(y_true, ranked_from_scores(classes, scores, 3),
                            per_class=per_class)


def urgent_recall(y_true: Sequence[str], y_pred: Sequence[str],
                  urgent: str = URGENT) -> float | None:
    pairs = [(t, p) for t, p in zip(y_true, y_pred, strict=True) if t == urgent]
    if not pairs:
        return None
    return _r(sum(p == urgent for _t, p in pairs) / len(pairs))


def one_hot_scores(classes: Sequence[str], predicted: Sequence[str]) -> np.ndarray:
    index = {c: i for i, c in enumerate(classes)}
    out = np.zeros((len(predicted), len(classes)))
    for row, label in enumerate(predicted):
        out[row, index[label]] = 1
    return out


def summarize_ranked(y_true: Sequence[str], ranked: Sequence[Sequence[str]], *,
                     per_class: bool = True) -> dict:
    """Like ``summarize`` but from each row's labels best first (pooled cross-validation
    folds rank over different label sets, so there is no single score matrix)."""
    y_true = [str(y) for y in y_true]
    n = len(y_true)
    if n == 0:
        return {"n": 0, "accuracy": 0.0, "macro_f1": 0.0, "top3_accuracy": 0.0, "per_class": {}}
    y_pred = [str(r[0]) if len(r) else "" for r in ranked]
    labels = sorted(set(y_true) | set(y_pred) - {""})
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels,
                                                 zero_division=0)
    out = {
        "n": n,
        "accuracy": _r(np.mean([a == b for a, b in zip(y_true, y_pred, strict=True)])),
        "macro_f1": _r(np.mean(f)) if len(f) else 0.0,
        "top3_accuracy": _r(np.mean([y in [str(x) for x in row[:3]]
                                     for y, row in zip(y_true, ranked, strict=True)])),
    }
    if per_class:
        out["per_class"] = {lab: {"precision": _r(p[i]), "recall": _r(r[i]), "f1": _r(f[i]),
                                  "support": int(s[i])} for i, lab in enumerate(labels)}
    return out


def ranked_from_scores(classes: Sequence[str], scores: np.ndarray, k: int = 5) -> list[list[str]]:
    classes = np.asarray([str(c) for c in classes], dtype=object)
    order = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    return [list(classes[row]) for row in order]
