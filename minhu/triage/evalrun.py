"""What ``minhu triage-eval`` does, without the command-line wrapping.

Three modes, each returning the JSON-ready result the command prints as its last line:

* ``cross_validate(texts, labels, folds)``: stratified k-fold; the production pipeline and
  the baseline are trained on the same folds; figures pooled over all out-of-fold rows.
* ``train_test(train, test)``: both trained on TRAIN, measured on TEST.
* ``installed(texts, labels, label)``: the active model through ``classify()`` (rules and
  the emergency lexicon included), labels given as codes or Chinese names.

Every bad input raises ``BadInput`` with a Chinese message (the command exits with 2).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
from sklearn.model_selection import StratifiedKFold

from .evaluation import URGENT, ranked_from_scores, summarize_ranked, urgent_recall

MAX_FILE_BYTES = 200 * 1024 * 1024
CV_SEED = 20251122

Say = Callable[[str], None]


class BadInput(Exception):
    """A problem with the file or the options, told to the person in Chinese."""


def read_labelled(path_text: str, label: str) -> tuple[list[str], list[str]]:
    """(texts, labels) of a UTF-8 CSV (BOM allowed) with ``text`` and ``label`` columns.
    Rows missing either value are skipped; a file with none left is an error."""
    path = Path(path_text)
    if not path.is_file():
        raise BadInput(f"文件不存在：{path_text}")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise BadInput(f"文件过大：{path_text}（最大 {MAX_FILE_BYTES // 2 ** 20} MB）")
    raw = path.read_bytes()
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        hint = "（看起来是 GBK 编码）" if _looks_gbk(raw) else ""
        raise BadInput(f"文件不是 UTF-8 编码{hint}：{path_text}，请另存为 UTF-8 后重试") from None
    if not content.strip():
        raise BadInput(f"文件是空的：{path_text}")
    try:
        reader = csv.DictReader(io.StringIO(content, newline=""))
        columns = [c.strip() for c in (reader.fieldnames or [])]
        reader.fieldnames = columns
        if "text" not in columns:
            raise BadInput(f"文件缺少 text 列：{path_text}（现有列：{'、'.join(columns) or '无'}）")
        if label not in columns:
            raise BadInput(f"文件缺少标签列 {label}：{path_text}（现有列：{'、'.join(columns)}）")
        texts, labels = [], []
        for row in reader:
            text, value = (row.get("text") or "").strip(), (row.get(label) or "").strip()
            if text and value:
                texts.append(text)
                labels.append(value)
    except csv.Error as exc:
        raise BadInput(f"CSV 格式错误：{path_text}（{exc}）") from None
    if not texts:
        raise BadInput(f"文件中没有同时含 text 和 {label} 的数据行：{path_text}")
    return texts, labels


def _looks_gbk(raw: bytes) -> bool:
    try:
        raw.decode("gbk")
        return True
    except UnicodeDecodeError:
        return False


# --- the two contenders ---------------------------------------------------------------

def production_model():
    """The production pipeline as ``triage-eval`` trains it: stacked on the built-in
    cold-start model (deterministic, and never trained on anything a CSV may hold)."""
    from . import modelstore
    from .pipeline import TextClassifier, bundle_prior

    return TextClassifier(prior=bundle_prior(modelstore.builtin()))


def baseline_model():
    from .pipeline import Baseline

    return Baseline()


def _figures(y_true: list[str], ranked: list[list[str]], label: str) -> dict:
    out = summarize_ranked(y_true, ranked)
    if label == "urgency" or URGENT in set(y_true):
        recall = urgent_recall(y_true, [r[0] if r else "" for r in ranked])
        if recall is not None:
            out["urgent_recall"] = recall
    return out


def cross_validate(texts: list[str], labels: list[str], folds: int, label: str = "category",
                   say: Say | None = None) -> dict:
    say = say or (lambda _m: None)
    if folds < 2:
        raise BadInput(f"--cv 折数至少为 2（收到 {folds}）")
    if len(texts) < folds:
        raise BadInput(f"样本只有 {len(texts)} 条，少于折数 {folds}")
    counts = Counter(labels)
    if len(counts) < 2:
        raise BadInput("至少需要两个不同的标签才能评估")
    singles = sorted(lab for lab, n in counts.items() if n < 2)
    if singles:
        shown = "、".join(singles[:10]) + ("等" if len(singles) > 10 else "")
        raise BadInput(f"以下标签只有 1 条样本，无法做 {folds} 折交叉验证：{shown}")
    few = sorted(lab for lab, n in counts.items() if n < folds)
    if few:
        say(f"提示：{len(few)} 个标签的样本少于 {folds} 条，部分折中不会出现")
    y = np.asarray(labels, dtype=object)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=CV_SEED)
    ranked = {"production": [None] * len(y), "baseline": [None] * len(y)}
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "least populated class" is said above
        splits = list(splitter.split(np.zeros(len(y)), y))
    for k, (train, test) in enumerate(splits, 1):
        train_texts = [texts[i] for i in train]
        test_texts = [texts[i] for i in test]
        for name, make in (("production", production_model), ("baseline", baseline_model)):
            model = make().fit(train_texts, list(y[train]))
            classes, scores = model.rank(test_texts)
            for i, row in zip(test, ranked_from_scores(classes, scores), strict=True):
                ranked[name][i] = row
        say(f"第 {k}/{folds} 折完成")
    return _result(labels, ranked, label)


def train_test(train: tuple[list[str], list[str]], test: tuple[list[str], list[str]],
               label: str = "category", say: Say | None = None) -> dict:
    say = say or (lambda _m: None)
    if len(set(train[1])) < 2:
        raise BadInput("训练集至少需要两个不同的标签")
    ranked = {}
    for name, make in (("production", production_model), ("baseline", baseline_model)):
        model = make().fit(train[0], train[1])
        classes, scores = model.rank(test[0])
        ranked[name] = ranked_from_scores(classes, scores)
        say(f"{'生产模型' if name == 'production' else '基线模型'}训练并评估完成")
    return _result(test[1], ranked, label)


def _result(labels: list[str], ranked: dict, label: str) -> dict:
    out = _figures(labels, ranked["production"], label)
    out["baseline"] = _figures(labels, ranked["baseline"], label)
    return out


# --- the installed model ----------------------------------------------------------------

def installed(texts: list[str], labels: list[str], label: str, say: Say | None = None) -> dict:
    """Measure the active model (as ``classify`` answers) against labels given as codes or
    Chinese names; first-level labels are compared at the first level."""
    from .classify import classify

    say = say or (lambda _m: None)
    kind = label if label in ("type", "urgency") else "category"
    lookup = _label_lookup(kind)
    first_codes = _first_level_codes() if kind == "category" else set()
    codes, unknown = [], Counter()
    for value in labels:
        code = lookup.get(value) or lookup.get(value.upper())
        codes.append(code)
        if code is None:
            unknown[value] += 1
    if unknown:
        shown = "、".join(v for v, _n in unknown.most_common(10))
        raise BadInput(f"有 {sum(unknown.values())} 行的标签无法识别为{_KIND_NAMES[kind]}：{shown}")
    ranked, version = [], None
    for i, text in enumerate(texts):
        result = classify(text)
        version = result.model_version
        if kind == "type":
            guesses = result.types
        elif kind == "urgency":
            guesses = result.urgencies
        elif codes[i] in first_codes:  # a first-level label: compare at the first level
            guesses = result.first_levels
        else:
            guesses = result.categories
        ranked.append([g.code for g in guesses])
        if (i + 1) % 500 == 0:
            say(f"已评估 {i + 1}/{len(texts)} 条")
    out = _figures(codes, ranked, kind)
    if kind == "urgency" and "urgent_recall" not in out:
        out["urgent_recall"] = None
    out["baseline"] = None
    out["model_version"] = version
    return out


def _first_level_codes() -> set[str]:
    from minhu.catalog.models import Category
    from minhu.catalog.taxonomy import TAXONOMY

    return {node.code for node in TAXONOMY} | set(
        Category.objects.filter(parent__isnull=True).values_list("code", flat=True))


_KIND_NAMES = {"category": "诉求分类", "type": "诉求类型", "urgency": "紧急程度"}


def _label_lookup(kind: str) -> dict[str, str]:
    """Code or Chinese name -> code, from the database with the shipped lists as fallback."""
    from minhu.catalog.models import Category, RequestType, UrgencyTier

    table: dict[str, str] = {}
    if kind == "category":
        from minhu.catalog.taxonomy import TAXONOMY

        for node in TAXONOMY:
            table[node.code] = table[node.name] = node.code
            for child in node.children:
                table[child.code] = table[child.name] = child.code
                table[f"{node.name}/{child.name}"] = child.code
        for code, name, parent in Category.objects.values_list("code", "name", "parent__name"):
            table[code] = code
            table.setdefault(name, code)
            if parent:
                table[f"{parent}/{name}"] = code
    else:
        from minhu.catalog.seed import REQUEST_TYPES, URGENCY_TIERS

        model = RequestType if kind == "type" else UrgencyTier
        shipped = REQUEST_TYPES if kind == "type" else URGENCY_TIERS
        for row in shipped:
            table[row[0]] = table[row[1]] = row[0]
        for code, name in model.objects.values_list("code", "name"):
            table[code] = table[name] = code
    return table
