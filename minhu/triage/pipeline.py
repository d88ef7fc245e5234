"""The production text classifier and the plain baseline it is measured against.

``TextClassifier`` = ``Featurizer`` (hashed character 1–3-grams + jieba words, capped) →
optional dense "prior" features (the cold-start model's probabilities over our taxonomy,
so a foreign label set learns from few examples) → one linear SVM per label set
(``LinearHead``) whose scores become probabilities through a softmax with a temperature
fitted on held-out rows.

``Baseline`` is the reference the issue names: character 1–3-gram TF-IDF + LinearSVC,
top-3 from its decision function. Both expose ``fit(texts, labels)`` and
``rank(texts) -> (classes, scores)`` so evaluation treats them alike.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import SGDClassifier
from sklearn.svm import LinearSVC

from .textfeatures import Featurizer

RANDOM_STATE = 20251122
SGD_ABOVE = 60_000  # rows; below this liblinear's exact solution is quick enough
SGD_ALPHA = 2e-6
SGD_EPOCHS = 6
TRAIN_JOBS = 2


class LinearHead:
    """Linear one-vs-rest scores for one label set, with a softmax temperature.

    Weights are kept as a float32 (features × classes) array: scoring one text touches only
    the rows of its few hundred non-zero features."""

    def __init__(self, C: float = 0.5, balanced: bool = True, max_iter: int = 2000):
        self.C, self.balanced, self.max_iter = C, balanced, max_iter
        self.temperature = 0.3

    def fit(self, X, y: Sequence[str], sample_weight=None) -> LinearHead:
        y = np.asarray(y, dtype=object)
        self.classes_ = np.array(sorted(set(y)), dtype=object)
        if len(self.classes_) == 1:  # nothing to learn: one label always
            self.W = np.zeros((X.shape[1], 1), np.float32)
            self.b = np.zeros(1, np.float32)
            return self
        if X.shape[0] > SGD_ABOVE:
            # liblinear fits the classes one after another and grows superlinearly with
            # rows; on city-sized data a few passes of SGD on the same hinge loss, one class
            # per core, are as good and keep a million orders within minutes.
            svm = SGDClassifier(loss="hinge", alpha=SGD_ALPHA, max_iter=SGD_EPOCHS, tol=None,
                                class_weight="balanced" if self.balanced else None,
                                n_jobs=TRAIN_JOBS, random_state=RANDOM_STATE, average=True)
        else:
            svm = LinearSVC(C=self.C, class_weight="balanced" if self.balanced else None,
                            max_iter=self.max_iter, random_state=RANDOM_STATE, dual=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            warnings.simplefilter("ignore", UserWarning)  # "many classes for few samples"
            svm.fit(X, y, sample_weight=sample_weight)
        coef, b = svm.coef_, svm.intercept_
        if len(self.classes_) == 2:  # liblinear keeps one vector for two classes
            coef, b = np.vstack([-coef, coef]), np.array([-b[0], b[0]])
        self.classes_ = np.asarray(svm.classes_, dtype=object)
        self.W = np.ascontiguousarray(coef.T, dtype=np.float32)
        self.b = b.astype(np.float32)
        return self

    def scores(self, X) -> np.ndarray:
        return np.asarray(X @ self.W) + self.b

    def proba_from_scores(self, scores: np.ndarray) -> np.ndarray:
        return softmax(scores / self.temperature)

    def proba(self, X) -> np.ndarray:
        return self.proba_from_scores(self.scores(X))

    def calibrate(self, X, y: Sequence[str]) -> float:
        """Pick the temperature that minimises the log-loss on held-out rows (argmax and
        ranking do not change, so accuracy measured on the same rows stays honest)."""
        index = {c: i for i, c in enumerate(self.classes_)}
        known = [(i, index[v]) for i, v in enumerate(y) if v in index]
        if len(known) < 5 or len(self.classes_) < 2:
            return self.temperature
        rows = np.array([k[0] for k in known])
        cols = np.array([k[1] for k in known])
        s = self.scores(X[rows])
        best, best_loss = self.temperature, np.inf
        for t in np.geomspace(0.01, 5, 80):
            p = softmax(s / t)[np.arange(len(rows)), cols]
            loss = -np.mean(np.log(np.clip(p, 1e-9, 1)))
            if loss < best_loss:
                best, best_loss = float(t), loss
        self.temperature = best
        return best


def softmax(s: np.ndarray) -> np.ndarray:
    s = s - s.max(axis=1, keepdims=True)
    e = np.exp(s)
    return e / e.sum(axis=1, keepdims=True)


Prior = Callable[[list[str]], np.ndarray]


class TextClassifier:
    """Production pipeline for one label set (``triage-eval`` trains this on any labels).

    ``prior`` maps texts to dense features (the cold-start model's probabilities); they
    are appended to the sparse block with ``prior_weight``."""

    def __init__(self, *, prior: Prior | None = None, prior_weight: float = 1.0,
                 C: float = 0.5, featurizer: Featurizer | None = None):
        self.prior, self.prior_weight, self.C = prior, prior_weight, C
        self.featurizer = featurizer or Featurizer()

    def _stack(self, X, texts: list[str]):
        if self.prior is None:
            return X
        dense = np.asarray(self.prior(texts), dtype=np.float32) * self.prior_weight
        return sp.hstack([X, sp.csr_matrix(dense)], format="csr")

    def fit(self, texts: list[str], labels: Sequence[str], sample_weight=None,
            calibrate_on: tuple[list[str], Sequence[str]] | None = None) -> TextClassifier:
        X = self._stack(self.featurizer.fit_transform(texts), texts)
        self.head = LinearHead(C=self.C).fit(X, labels, sample_weight)
        if calibrate_on is not None:
            self.head.calibrate(self.features(calibrate_on[0]), calibrate_on[1])
        return self

    def features(self, texts: list[str]):
        return self._stack(self.featurizer.transform(texts), texts)

    @property
    def classes_(self) -> np.ndarray:
        return self.head.classes_

    def rank(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        return self.head.classes_, self.head.scores(self.features(texts))

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        return self.head.proba(self.features(texts))


class Baseline:
    """Character 1–3-gram TF-IDF + LinearSVC, nothing else (the reference of the issue)."""

    def fit(self, texts: list[str], labels: Sequence[str]) -> Baseline:
        self.vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3))
        self.svm = LinearSVC(random_state=RANDOM_STATE)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            self.svm.fit(self.vec.fit_transform(texts), labels)
        return self

    def rank(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        s = self.svm.decision_function(self.vec.transform(texts))
        if s.ndim == 1:
            s = np.column_stack([-s, s])
        return np.asarray(self.svm.classes_, dtype=object), s


def bundle_prior(bundle, *, heads: Sequence[str] = ("category", "first_level")) -> Prior:
    """Dense features from a trained triage model: its probabilities over our taxonomy
    (second level, first level), the transfer that lets a foreign label set such as
    城乡建设 / 劳动和社会保障 learn from a few examples."""

    def prior(texts: list[str]) -> np.ndarray:
        proba = bundle.proba(texts)
        parts = []
        for name in heads:
            if name == "first_level":
                parts.append(bundle.first_level(proba["category"])[1])
            elif name in proba:
                parts.append(proba[name])
        return np.hstack(parts).astype(np.float32)

    return prior
