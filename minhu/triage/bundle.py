"""A trained triage model: one featurizer shared by three heads (second-level category,
request type, urgency tier). This object is what a ``ModelVersion.blob`` holds.

First-level probabilities are the sums of their children's, so the two levels never
disagree. Rows without a label for a head (taxonomy keywords have no request type) are
simply left out of that head's training.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import joblib
import numpy as np

from .pipeline import LinearHead
from .textfeatures import Featurizer

HEADS = ("category", "type", "urgency")
WORDS_UP_TO = 150_000


@dataclass
class Row:
    text: str
    l2: str | None
    type: str | None
    urgency: str | None
    weight: float = 1.0
    title: str = ""


def join_title(text: str, title: str = "") -> str:
    """The title counts twice: it is the dispatcher's own summary of the matter."""
    title = (title or "").strip()
    if not title or title in (text or ""):
        return text or ""
    return f"{title}。{title}。{text}"


@dataclass
class ModelBundle:
    featurizer: Featurizer
    heads: dict[str, LinearHead]
    parent_of: dict[str, str]  # second-level code -> first-level code
    meta: dict = field(default_factory=dict)

    # --- prediction ---------------------------------------------------------------
    def proba(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        X = self.featurizer.transform(list(texts))
        return {name: head.proba(X) for name, head in self.heads.items()}

    def classes(self, head: str) -> np.ndarray:
        return self.heads[head].classes_

    def first_level(self, cat_proba: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(first-level codes, probabilities) from the second-level probabilities."""
        l1 = sorted({self.parent_of.get(c, c[:2]) for c in self.heads["category"].classes_})
        index = {c: i for i, c in enumerate(l1)}
        cols = np.array([index[self.parent_of.get(c, c[:2])]
                         for c in self.heads["category"].classes_])
        out = np.zeros((cat_proba.shape[0], len(l1)), dtype=cat_proba.dtype)
        for j, col in enumerate(cols):
            out[:, col] += cat_proba[:, j]
        return np.array(l1, dtype=object), out

    # --- storage ------------------------------------------------------------------
    def dumps(self) -> bytes:
        buf = io.BytesIO()
        joblib.dump(self, buf, compress=("zlib", 3))
        return buf.getvalue()

    @staticmethod
    def loads(blob: bytes) -> ModelBundle:
        return joblib.load(io.BytesIO(bytes(blob)))


def fit_bundle(rows: Iterable[Row], parent_of: dict[str, str], *, C: float = 0.5,
               featurizer: Featurizer | None = None) -> ModelBundle:
    rows = list(rows)
    texts = [join_title(r.text, r.title) for r in rows]
    # Word features need jieba on every text (single-threaded, the slowest step); on
    # city-sized data character n-grams alone score the same and train in a fraction.
    featurizer = featurizer or Featurizer(use_words=len(rows) <= WORDS_UP_TO)
    X = featurizer.fit_transform(texts)
    weights = np.array([r.weight for r in rows], dtype=np.float64)
    heads = {}
    for name, attr in zip(HEADS, ("l2", "type", "urgency"), strict=True):
        labels = [getattr(r, attr) for r in rows]
        idx = np.array([i for i, v in enumerate(labels) if v], dtype=np.int64)
        if len(idx) == 0:
            continue
        heads[name] = LinearHead(C=C).fit(X[idx], [labels[i] for i in idx], weights[idx])
    return ModelBundle(featurizer, heads, dict(parent_of))


def calibrate_bundle(bundle: ModelBundle, rows: Sequence[Row]) -> None:
    if not rows:
        return
    X = bundle.featurizer.transform([join_title(r.text, r.title) for r in rows])
    for name, attr in zip(HEADS, ("l2", "type", "urgency"), strict=True):
        if name in bundle.heads:
            idx = [i for i, r in enumerate(rows) if getattr(r, attr)]
            if idx:
                bundle.heads[name].calibrate(X[idx], [getattr(rows[i], attr) for i in idx])
