"""Turning request text into sparse features: character 1–3-grams plus jieba word uni- and
bi-grams, hashed, then cut down to the columns seen in enough documents.

Hashing keeps fitting memory flat however many orders there are (a vocabulary of every
character trigram of a million orders would not fit); the column selection afterwards keeps
the trained coefficients small (a model must stay well under 300 MB), and a lookup array
maps a hashed column to its kept position so one text is featurised in well under a
millisecond.
"""

from __future__ import annotations

import logging
import re
import threading

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer

_JIEBA_LOCK = threading.Lock()
_jieba = None

# Digits, latin letters and runs of punctuation carry little meaning in a request and only
# add distinct n-grams (phone numbers, house numbers): fold them to one symbol each.
_DIGITS = re.compile(r"\d+")
_LATIN = re.compile(r"[A-Za-z]+")
_SPACE = re.compile(r"\s+")


def normalize(text: str) -> str:
    text = _SPACE.sub(" ", text or "").strip()
    text = _DIGITS.sub("0", text)
    return _LATIN.sub("a", text)


def _tokenizer():
    global _jieba
    if _jieba is None:
        with _JIEBA_LOCK:
            if _jieba is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _jieba = jieba
    return _jieba


def words(text: str) -> list[str]:
    """jieba words (punctuation and spaces dropped) followed by adjacent word pairs."""
    toks = [w for w in _tokenizer().lcut(text, HMM=False) if w.strip() and not _is_punct(w)]
    return toks + [a + "_" + b for a, b in zip(toks, toks[1:], strict=False)]


def _is_punct(word: str) -> bool:
    return len(word) == 1 and not word.isalnum()


class Featurizer:
    """Fit once on the training texts; ``transform`` is then cheap per text.

    ``max_features`` caps each of the two blocks (characters, words); ``min_df`` drops
    n-grams seen in fewer documents (typos, names)."""

    def __init__(self, *, char_bits: int = 21, word_bits: int = 20,
                 max_char: int = 200_000, max_word: int = 100_000, min_df: int = 2,
                 use_words: bool = True):
        self.char_bits, self.word_bits = char_bits, word_bits
        self.max_char, self.max_word, self.min_df = max_char, max_word, min_df
        self.use_words = use_words

    # The hashing vectorizers hold no state, so they are rebuilt on load (smaller blob).
    def _char_hasher(self) -> HashingVectorizer:
        return HashingVectorizer(analyzer="char", ngram_range=(1, 3),
                                 n_features=2 ** self.char_bits,
                                 alternate_sign=False, norm=None, lowercase=False,
                                 dtype=np.float32)

    def _word_hasher(self) -> HashingVectorizer:
        return HashingVectorizer(analyzer=words, n_features=2 ** self.word_bits,
                                 alternate_sign=False, norm=None, lowercase=False,
                                 dtype=np.float32)

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_hashers", None)
        return state

    def _hashed(self, texts: list[str]) -> list[sp.csr_matrix]:
        hashers = self.__dict__.get("_hashers")
        if hashers is None:
            hashers = [self._char_hasher()] + ([self._word_hasher()] if self.use_words else [])
            self._hashers = hashers
        norm = [normalize(t) for t in texts]
        return [h.transform(norm) for h in hashers]

    def fit_transform(self, texts: list[str]) -> sp.csr_matrix:
        blocks = self._hashed(texts)
        caps = [self.max_char, self.max_word]
        self.lookups, self.idfs = [], []
        offset = 0
        n_docs = len(texts)
        for block, cap in zip(blocks, caps, strict=False):
            df = np.bincount(block.indices, minlength=block.shape[1])
            keep = np.flatnonzero(df >= self.min_df)
            if len(keep) > cap:  # the most frequent ones; ties broken by column for determinism
                order = np.lexsort((keep, -df[keep]))[:cap]
                keep = np.sort(keep[order])
            lookup = np.full(block.shape[1], -1, dtype=np.int32)
            lookup[keep] = np.arange(len(keep), dtype=np.int32) + offset
            idf = (np.log((1 + n_docs) / (1 + df[keep])) + 1).astype(np.float32)
            self.lookups.append(lookup)
            self.idfs.append(idf)
            offset += len(keep)
        self.n_features_ = offset
        self.idf_ = np.concatenate(self.idfs) if self.idfs else np.zeros(0, np.float32)
        del self.idfs
        return self._finish(blocks)

    def transform(self, texts: list[str]) -> sp.csr_matrix:
        return self._finish(self._hashed(texts))

    def _finish(self, blocks: list[sp.csr_matrix]) -> sp.csr_matrix:
        parts = []
        for block, lookup in zip(blocks, self.lookups, strict=False):
            block = block.tocoo()
            cols = lookup[block.col]
            kept = cols >= 0
            parts.append((block.row[kept], cols[kept], block.data[kept]))
        rows = np.concatenate([p[0] for p in parts])
        cols = np.concatenate([p[1] for p in parts])
        data = np.concatenate([p[2] for p in parts])
        n = blocks[0].shape[0]
        X = sp.csr_matrix((data, (rows, cols)), shape=(n, self.n_features_), dtype=np.float32)
        # sublinear tf, idf, unit length (texts of any length compare alike)
        np.log1p(X.data, out=X.data)
        X = X.multiply(self.idf_).tocsr()
        return _l2_normalize(X)


def _l2_normalize(X: sp.csr_matrix) -> sp.csr_matrix:
    sq = np.asarray(X.multiply(X).sum(axis=1)).ravel()
    sq[sq == 0] = 1
    inv = sp.diags((1 / np.sqrt(sq)).astype(np.float32))
    return (inv @ X).tocsr().astype(np.float32)
