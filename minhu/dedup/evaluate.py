"""Pairwise evaluation of duplicate detection on a labelled CSV, without the database.

Rows are fed in time order through the same ``core.compare`` the platform runs at
registration, with the same candidate rule (same caller within months, same place within
the incident window). Each row joins the cluster of the earlier row it matches best, as a
registered order joins its incident or repeat chain; two rows are predicted "the same" when
they end in one cluster, and are "the same" in truth when they share ``group``.
"""

from __future__ import annotations

import csv
import io
import time
from collections import Counter, defaultdict, deque
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from . import core

REQUIRED = ("id", "group", "text", "address", "created_at")
CITY_TZ = ZoneInfo("Asia/Shanghai")
MAX_ROWS = 500_000
MAX_TEXT = 5000
# Per key, how many recent rows are kept as candidates (the production query's LIMIT).
KEEP_PER_KEY = 40


class BadInput(Exception):
    """The file cannot be evaluated; the message is Chinese and names the line."""


@dataclass
class Row:
    id: str
    group: str
    text: str
    address: str
    at: datetime
    phone: str
    line: int


def decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise BadInput("无法识别文件编码：请使用 UTF-8 或 GBK 编码的 CSV")


def parse_time(value: str, line: int) -> datetime:
    text = (value or "").strip()
    if not text:
        raise BadInput(f"第 {line} 行：created_at 为空")
    try:
        at = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise BadInput(f"第 {line} 行：created_at “{text[:40]}”不是 ISO 8601 时间") from None
    # A time without offset is the city's local time, as the hotline records it.
    return at if at.tzinfo else at.replace(tzinfo=CITY_TZ)


def read_rows(text: str) -> list[Row]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise BadInput("缺少必需的列：" + "、".join(missing) +
                       "（需要 id, group, text, address, created_at，可选 phone）")
    reader.fieldnames = header
    rows: list[Row] = []
    seen: set[str] = set()
    for record in reader:
        line = reader.line_num
        if not any((v or "").strip() for v in record.values() if isinstance(v, str)):
            continue
        if None in record:
            raise BadInput(f"第 {line} 行：列数多于表头")
        row_id = (record.get("id") or "").strip()
        if not row_id:
            raise BadInput(f"第 {line} 行：id 为空")
        if row_id in seen:
            raise BadInput(f"第 {line} 行：id “{row_id[:40]}”重复")
        seen.add(row_id)
        group = (record.get("group") or "").strip()
        if not group:
            raise BadInput(f"第 {line} 行：group 为空")
        body = (record.get("text") or "").strip()
        if not body:
            raise BadInput(f"第 {line} 行：text 为空")
        rows.append(Row(id=row_id, group=group, text=body[:MAX_TEXT],
                        address=(record.get("address") or "").strip()[:200],
                        at=parse_time(record.get("created_at"), line),
                        phone=(record.get("phone") or "").strip(), line=line))
        if len(rows) > MAX_ROWS:
            raise BadInput(f"行数过多（最多 {MAX_ROWS} 行）")
    if len(rows) < 2:
        raise BadInput("至少需要 2 行数据")
    return rows


class _Clusters:
    def __init__(self):
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def join(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[ra] = rb


def _pairs(sizes) -> int:
    return sum(n * (n - 1) // 2 for n in sizes)


def evaluate(rows: list[Row], gazetteer: core.Gazetteer = core.NO_GAZETTEER) -> dict:
    started = time.perf_counter()
    rows = sorted(rows, key=lambda r: (r.at, r.line))
    by_phone: dict[str, deque] = defaultdict(lambda: deque(maxlen=KEEP_PER_KEY))
    by_place: dict[str, deque] = defaultdict(lambda: deque(maxlen=KEEP_PER_KEY))
    clusters = _Clusters()
    kinds: Counter = Counter()
    for row in rows:
        sig = core.signature(row.id, row.at, row.text, row.address, phone=row.phone,
                             gazetteer=gazetteer)
        candidates = {}
        if sig.phone:
            for old in by_phone[sig.phone]:
                candidates[old.key] = old
        for key in sig.places:
            for old in by_place[key]:
                if sig.at - old.at <= core.INCIDENT_WINDOW:
                    candidates[old.key] = old
        clusters.find(row.id)
        match = core.best_match(sig, list(candidates.values()))
        if match is not None:
            old, decision = match
            clusters.join(row.id, old.key)
            kinds[decision.kind] += 1
        if sig.phone:
            by_phone[sig.phone].append(sig)
        for key in sig.places:
            by_place[key].append(sig)
    group_of = {r.id: r.group for r in rows}
    cluster_sizes = Counter(clusters.find(r.id) for r in rows)
    group_sizes = Counter(group_of.values())
    both = Counter((clusters.find(r.id), r.group) for r in rows)
    predicted, truth, hits = _pairs(cluster_sizes.values()), _pairs(group_sizes.values()), \
        _pairs(both.values())
    precision = hits / predicted if predicted else 0.0
    recall = hits / truth if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "n": len(rows), "pairs": truth, "predicted_pairs": predicted, "true_positives": hits,
        "precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
        "groups": len(group_sizes), "clusters": len(cluster_sizes),
        "repeat_links": kinds["repeat"], "incident_links": kinds["incident"],
        "seconds": round(time.perf_counter() - started, 3),
    }
