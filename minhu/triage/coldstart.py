"""The built-in cold-start model: what a new city classifies with before it has history.

It learns from three sources, all in the repository: the hand-written corpus
(``corpus/*.tsv``: l2, type, urgency, text), the taxonomy's colloquial keywords, and the
demo city's request templates filled with made-up places. Building it is deterministic
(fixed seeds), and the result is cached as a file keyed by a fingerprint of its sources,
so editing the corpus rebuilds it at the next first use.
"""

from __future__ import annotations

import csv
import hashlib
import logging
import os
import random
import tempfile
import time
from pathlib import Path

from django.conf import settings

from .bundle import ModelBundle, Row

log = logging.getLogger(__name__)

RECIPE = 4  # bump when the way rows or features are made changes
CORPUS_DIR = Path(__file__).resolve().parent / "corpus"
# Weights: real-sounding corpus lines count most; template texts are many and alike.
CORPUS_WEIGHT, TEMPLATE_WEIGHT, KEYWORD_WEIGHT = 1.0, 0.4, 0.3
TEMPLATE_FILLS = 3

TYPES = ("consult", "help", "complaint", "report", "suggestion", "praise")
URGENCIES = ("urgent", "pressing", "normal", "complex")


def parent_map() -> dict[str, str]:
    from minhu.catalog.taxonomy import TAXONOMY

    return {child.code: node.code for node in TAXONOMY for child in node.children}


def corpus_rows(directory: Path = CORPUS_DIR) -> list[Row]:
    """Every well-formed line of ``corpus/*.tsv``; malformed lines are skipped (logged)."""
    valid = parent_map()
    rows: list[Row] = []
    for path in sorted(directory.glob("*.tsv")):
        try:
            with path.open(encoding="utf-8-sig", newline="") as fh:
                for rec in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
                    text = (rec.get("text") or "").strip()
                    l2 = (rec.get("l2") or "").strip().upper()
                    if not text or l2 not in valid:
                        continue
                    typ = (rec.get("type") or "").strip()
                    urg = (rec.get("urgency") or "").strip()
                    rows.append(Row(text, l2, typ if typ in TYPES else None,
                                    urg if urg in URGENCIES else None, CORPUS_WEIGHT))
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            log.warning("corpus file %s skipped: %s", path.name, exc)
    return rows


def keyword_rows() -> list[Row]:
    from minhu.catalog.taxonomy import TAXONOMY

    rows = []
    for node in TAXONOMY:
        for child in node.children:
            for word in child.keywords.split(","):
                if word.strip():
                    rows.append(Row(word.strip(), child.code, None, None, KEYWORD_WEIGHT))
    return rows


# Made-up places for the demo templates (any plausible names do).
_PLACES = {
    "district": ("东城区", "西湖区", "南山区", "云溪县"),
    "street": ("文昌街道", "青云街道", "桃源镇", "金沙街道", "和平街道"),
    "community": ("翠苑社区", "丰泽社区", "石桥村", "松竹社区"),
    "compound": ("锦绣家园", "翠苑小区", "金桂苑", "阳光花园", "瑞景新城", "梅林湾"),
    "building": ("3号楼", "12栋", "5幢", "7号楼"),
    "road": ("文昌路", "青云街", "解放大道", "建设路", "滨江路"),
    "road2": ("人民路", "中山路", "学院街"),
    "landmark": ("人民公园", "农贸市场", "文昌小学", "客运站"),
}


def template_rows(seed: int = 12345) -> list[Row]:
    from minhu.demo import texts as t

    rng = random.Random(seed)
    rows: list[Row] = []

    def fill(template: str) -> str:
        where = t.Place(**{k: rng.choice(v) for k, v in _PLACES.items()})
        return t.fill(template, t.Slots(rng, where))

    for cat in t.CATEGORIES:
        for template in cat.issues:
            for _ in range(TEMPLATE_FILLS):
                rows.append(Row(fill(template), cat.code, cat.kind, "normal", TEMPLATE_WEIGHT))
        for template in cat.urgent:
            for _ in range(TEMPLATE_FILLS):
                rows.append(Row(fill(template), cat.code, cat.kind, "urgent", TEMPLATE_WEIGHT))
        for question, _answer in cat.questions:
            for _ in range(TEMPLATE_FILLS):
                rows.append(Row(fill(question), cat.code, "consult", "normal", TEMPLATE_WEIGHT))
    for code, _where, template in t.SUGGESTIONS:
        rows.append(Row(fill(template), code, "suggestion", "normal", TEMPLATE_WEIGHT))
    for template in t.PRAISE:
        rows.append(Row(fill(template), "QT05", "praise", "normal", TEMPLATE_WEIGHT))
    return rows


def training_rows() -> list[Row]:
    return corpus_rows() + keyword_rows() + template_rows()


def fingerprint() -> str:
    """Changes whenever anything the cold start learns from changes."""
    from minhu.catalog.taxonomy import TAXONOMY
    from minhu.demo import texts as t

    h = hashlib.sha256(f"recipe {RECIPE}".encode())
    for path in sorted(CORPUS_DIR.glob("*.tsv")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    h.update(repr(TAXONOMY).encode())
    h.update(repr((t.CATEGORIES, t.SUGGESTIONS, t.PRAISE)).encode())
    return h.hexdigest()[:16]


def cache_path(fp: str) -> Path:
    return Path(settings.TRIAGE_CACHE_DIR) / f"coldstart-{fp}.joblib"


def load_or_build() -> ModelBundle:
    """The built-in model for the current sources: from the cache file, or built now."""
    fp = fingerprint()
    path = cache_path(fp)
    if path.exists():
        try:
            bundle = ModelBundle.loads(path.read_bytes())
            if bundle.meta.get("fingerprint") == fp:
                return bundle
        except Exception as exc:  # a truncated or foreign file: rebuild it
            log.warning("cold-start cache %s unreadable (%s), rebuilding", path, exc)
    from .training import train_bundle

    started = time.monotonic()
    bundle, metrics = train_bundle(training_rows(), holdout_by_time=False)
    # Kept with the model so it can be stored as a version without training again.
    bundle.meta.update({"fingerprint": fp, "kind": "cold_start", "metrics": metrics,
                        "train_seconds": round(time.monotonic() - started, 2)})
    _write_atomically(path, bundle.dumps())
    _remove_stale(path)
    return bundle


def _remove_stale(keep: Path) -> None:
    """Older builds (the corpus changed since) are dead weight of tens of MB each."""
    for old in keep.parent.glob("coldstart-*.joblib"):
        if old != keep:
            old.unlink(missing_ok=True)


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".coldstart-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError:
        Path(tmp).unlink(missing_ok=True)
        raise
