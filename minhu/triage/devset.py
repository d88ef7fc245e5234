"""The hand-labelled development set: real citizen messages, labelled into our taxonomy.

Only ids and labels live in the repository (``data/devset.csv``); the texts are read at run
time from the shared evaluation data (``gov-messages-with-replies.csv``) so no citizen text
is copied into the project. The set is for measuring only: never train on it.

Selection rule (reproducible): read every 留言编号 of gov-messages-with-replies.csv in file
order, shuffle that list with ``random.Random(2026).shuffle``, and keep the first 420 whose
留言详情 is not blank. Each was labelled by reading 留言主题 + 留言详情, with the official
reply 答复意见 used to decide which department really handled it: second-level code,
first-level code, request type (catalog RequestType codes) and urgency tier codes.

The emergency set (``data/emergency.csv``, columns text,urgency) is different: its texts
were written for this project, in the way callers speak in a panic or in passing, and pair
true emergencies (urgent) with look-alikes that are not (normal or pressing) so that the
recall of 紧急 and the false alarms can both be measured. It ships with the repository.
"""

import csv
import os
import random
import re
from pathlib import Path

from django.conf import settings

from minhu.core.errors import MinhuError

SOURCE_FILE = "gov-messages-with-replies.csv"
SELECTION_SEED = 2026
SELECTION_SIZE = 420
LABELS_FILE = Path(__file__).resolve().parent / "data" / "devset.csv"
EMERGENCY_FILE = Path(__file__).resolve().parent / "data" / "emergency.csv"
LABEL_COLUMNS = ("category", "first_level", "type", "urgency")
OUTPUT_COLUMNS = ("id", "text", *LABEL_COLUMNS)

_SPACES = re.compile(r"\s+")
# Spreadsheet exports leave carriage returns behind as this literal marker.
_EXCEL_CR = "_x000D_"


class SharedDataMissing(MinhuError):
    code = "shared_data_missing"


def shared_data_dir() -> Path:
    """The shared evaluation data directory; MINHU_SHARED_DATA overrides the default
    location next to the project checkout."""
    override = os.environ.get("MINHU_SHARED_DATA")
    if override:
        return Path(override)
    return Path(settings.BASE_DIR).parent.parent / "shared" / "data"


def source_path() -> Path:
    path = shared_data_dir() / SOURCE_FILE
    if not path.is_file():
        raise SharedDataMissing(
            f"找不到共享评测数据 {SOURCE_FILE}（查找位置：{path.parent}）。"
            "请设置环境变量 MINHU_SHARED_DATA 指向评测数据目录后重试。")
    return path


def read_messages(path: Path | None = None) -> dict[str, dict]:
    """Every message of the source file by 留言编号 (multi-line quoted fields need csv)."""
    with open(path or source_path(), encoding="utf-8-sig", newline="") as fh:
        return {row["留言编号"].strip(): row for row in csv.DictReader(fh)}


def _clean(value: str | None) -> str:
    return _SPACES.sub(" ", (value or "").replace(_EXCEL_CR, " ")).strip()


def message_text(row: dict) -> str:
    subject = _clean(row.get("留言主题"))
    detail = _clean(row.get("留言详情"))
    return f"{subject}。{detail}" if subject else detail


def select_ids(messages: dict[str, dict], size: int = SELECTION_SIZE) -> list[str]:
    """The selection rule above: a seeded shuffle of the ids, the first ``size`` with a detail."""
    ids = list(messages)
    random.Random(SELECTION_SEED).shuffle(ids)
    picked = [i for i in ids if (messages[i].get("留言详情") or "").strip()]
    return picked[:size]


def read_labels(path: Path = LABELS_FILE) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        return [row for row in csv.DictReader(fh) if row.get("id")]


def read_emergency(path: Path = EMERGENCY_FILE) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        return [row for row in csv.DictReader(fh) if row.get("text")]


def build_rows(labels: list[dict], messages: dict[str, dict]) -> list[dict]:
    """Join labels and texts; a labelled id missing from the source is an error, not a skip,
    because a silently shrinking dev set would make figures incomparable."""
    missing = [row["id"] for row in labels if row["id"] not in messages]
    if missing:
        raise MinhuError(f"共享数据中缺少 {len(missing)} 条已标注留言（如 {missing[0]}），"
                         "请确认评测数据版本", code="devset_ids_missing")
    return [{"id": row["id"], "text": message_text(messages[row["id"]]),
             **{col: row[col] for col in LABEL_COLUMNS}} for row in labels]


def write_rows(rows: list[dict], out, columns=OUTPUT_COLUMNS) -> None:
    writer = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
