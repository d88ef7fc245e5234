"""Real citizens' messages from another city: nothing there is in 云州市, so a confident
place is a false alarm (or a name both cities share, like 人民路), and their length is the
realistic load for the resolver."""

import csv
import os
import time
from pathlib import Path

import pytest
from django.conf import settings

from minhu.geo.resolve import resolve_place


def shared_messages() -> Path:
    base = os.environ.get("MINHU_SHARED_DATA") or (
        Path(settings.BASE_DIR).parent.parent / "shared" / "data")
    return Path(base) / "gov-messages-with-replies.csv"


def test_messages_from_another_city_are_rarely_placed_here_and_quickly(db):
    path = shared_messages()
    if not path.is_file():
        pytest.skip("shared evaluation data not available")
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))[:800]
    confident, timings = 0, []
    for row in rows:
        text = f"{row.get('留言主题') or ''}。{row.get('留言详情') or ''}"
        started = time.perf_counter()
        match = resolve_place("", text)
        timings.append((time.perf_counter() - started) * 1000)
        confident += match.confidence >= 0.5
    timings.sort()
    assert confident / len(rows) < 0.08
    assert timings[int(len(timings) * 0.95)] < 5
