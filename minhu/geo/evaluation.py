"""Measure ``resolve_place`` on a labelled set: accuracy at each level and latency.

Rows: ``address, content, lat, lng, expected`` (a community code, or a street/district code
where only that is knowable; an optional ``case`` tag groups the rows in the breakdown).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from minhu.core.errors import ValidationFailed
from minhu.org.jurisdiction import chain_of
from minhu.org.models import Unit

from . import store
from .resolve import resolve_place

LEVELS = ("community", "street", "district")
REQUIRED = ("address", "content", "lat", "lng", "expected")


@dataclass
class Report:
    n: int = 0
    hits: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))
    totals: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LEVELS, 0))
    cases: dict[str, list[int]] = field(default_factory=dict)  # case → [right, total]
    timings_ms: list[float] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)
    build_ms: float = 0.0

    def summary(self) -> dict:
        def accuracy(level):
            total = self.totals[level]
            return round(self.hits[level] / total, 4) if total else None

        return {"n": self.n,
                **{f"{level}_accuracy": accuracy(level) for level in LEVELS},
                "p50_ms": round(percentile(self.timings_ms, 50), 3),
                "p95_ms": round(percentile(self.timings_ms, 95), 3),
                "gazetteer_build_ms": round(self.build_ms, 1)}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def _coordinate(value: str, row: int, name: str) -> float | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        raise ValidationFailed(f"第 {row} 行：{name} 不是数字：{value}") from None


def evaluate(rows: list[dict], first_line: int = 2) -> Report:
    """``rows`` as read by csv.DictReader; raises ValidationFailed (in Chinese) on bad rows
    before resolving anything."""
    if rows:
        missing = [c for c in REQUIRED if c not in rows[0]]
        if missing:
            raise ValidationFailed("缺少列：" + "、".join(missing))
    codes = {(r.get("expected") or "").strip() for r in rows}
    units = {u.code: u for u in Unit.objects.filter(code__in=codes)}
    chains: dict[str, dict] = {}
    parsed = []
    for number, row in enumerate(rows, start=first_line):
        code = (row.get("expected") or "").strip()
        if code not in units:
            raise ValidationFailed(
                f"第 {number} 行：没有编码为“{code}”的单位（评测集须与当前城市对应）")
        if code not in chains:
            chains[code] = {k: (u.pk if u else None) for k, u in chain_of(units[code]).items()}
        parsed.append((number, row, code, _coordinate(row.get("lat"), number, "纬度"),
                       _coordinate(row.get("lng"), number, "经度")))

    report = Report()
    store.forget()
    started = time.perf_counter()
    store.current()
    report.build_ms = (time.perf_counter() - started) * 1000
    for number, row, code, lat, lng in parsed:
        t0 = time.perf_counter()
        match = resolve_place(row.get("address") or "", row.get("content") or "", lat, lng)
        report.timings_ms.append((time.perf_counter() - t0) * 1000)
        report.n += 1
        expected = chains[code]
        got = match.chain_ids()
        right = True
        for level in LEVELS:
            if expected[level] is None:
                continue
            report.totals[level] += 1
            if got[level] == expected[level]:
                report.hits[level] += 1
            else:
                right = False
        case = (row.get("case") or "").strip() or "-"
        tally = report.cases.setdefault(case, [0, 0])
        tally[0] += right
        tally[1] += 1
        if not right:
            report.misses.append(f"第 {number} 行 [{case}] 期望 {code}，"
                                 f"得到 {_codes(got)}（置信度 {match.confidence}）："
                                 + "；".join(match.evidence))
    return report


def _codes(chain: dict) -> str:
    ids = [i for i in chain.values() if i]
    if not ids:
        return "无"
    codes = dict(Unit.objects.filter(pk__in=ids).values_list("pk", "code"))
    deepest = [codes[i] for i in ids]
    return deepest[-1]
