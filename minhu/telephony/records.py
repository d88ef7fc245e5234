"""Importing the CTI's call records (批量话单): one row per call, idempotent by call id.

Each row is checked on its own and written in its own transaction: a bad row is reported
with its number and reason and nothing of it is written; good rows are created, updated
(the CTI's later word replaces an earlier one, and replaces what live events said) or
left unchanged when identical. Used by ``POST /api/v1/cti/records`` and
``minhu cti-import FILE.csv``.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from minhu.core import clock

from .events import resolve_agent
from .models import CallRecord, Outcome, RecordSource

CALL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,63}$")
PHONE = re.compile(r"^\+?[0-9][0-9\-]{2,19}$")
MAX_SECONDS = 24 * 3600
OUTCOMES = {
    "answered": Outcome.ANSWERED, "接通": Outcome.ANSWERED, "已接通": Outcome.ANSWERED,
    "abandoned": Outcome.ABANDONED, "放弃": Outcome.ABANDONED, "呼损": Outcome.ABANDONED,
    "missed": Outcome.MISSED, "未接": Outcome.MISSED, "未接通": Outcome.MISSED,
}
# CSV headers as call centres write them, in Chinese or English.
HEADERS = {
    "call_id": "call_id", "通话编号": "call_id", "呼叫编号": "call_id",
    "caller": "caller", "主叫号码": "caller", "来电号码": "caller",
    "agent": "agent", "坐席": "agent", "工号": "agent", "分机": "agent",
    "queue": "queue", "队列": "queue", "技能组": "queue",
    "entered_at": "entered_at", "进线时间": "entered_at", "进队时间": "entered_at",
    "answered_at": "answered_at", "接听时间": "answered_at",
    "ended_at": "ended_at", "结束时间": "ended_at", "挂机时间": "ended_at",
    "outcome": "outcome", "结果": "outcome", "呼叫结果": "outcome",
    "wait_seconds": "wait_seconds", "等待时长": "wait_seconds",
    "talk_seconds": "talk_seconds", "通话时长": "talk_seconds",
}
COMPARED = ("caller", "agent_id", "agent_ref", "queue", "entered_at", "answered_at",
            "ended_at", "outcome", "wait_seconds", "talk_seconds")


def max_batch() -> int:
    return int(getattr(settings, "MINHU_CTI_MAX_BATCH", 1000))


class RowError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class ImportResult:
    received: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return len(self.errors)

    def as_dict(self) -> dict:
        return {"received": self.received, "created": self.created, "updated": self.updated,
                "unchanged": self.unchanged, "failed": self.failed, "errors": self.errors}


def _text(row: dict, name: str, limit: int) -> str:
    value = row.get(name)
    if value is None:
        return ""
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise RowError("bad_value", f"{name} 必须是文本")
    value = str(value).strip()
    if "\x00" in value or "\ufffd" in value or not _encodable(value):
        raise RowError("bad_characters", f"{name} 含有无法识别的字符（可能是编码错误）")
    if len(value) > limit:
        raise RowError("too_long", f"{name} 过长（最多 {limit} 个字符）")
    return value


def _encodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def parse_time(value, name: str, *, required: bool = False) -> datetime | None:
    if value in (None, ""):
        if required:
            raise RowError("missing_field", f"缺少 {name}")
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        text = str(value).strip().replace("/", "-")
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise RowError("bad_time", f"{name} 不是有效的时间（如 2025-09-30 10:00:00）") from None
    if not (2000 <= moment.year <= 2100):
        raise RowError("bad_time", f"{name} 超出范围（须在 2000–2100 年之间）")
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_current_timezone())
    return moment


def _seconds(value, name: str) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise RowError("bad_value", f"{name} 必须是整数秒")
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError:
        raise RowError("bad_value", f"{name} 必须是整数秒") from None
    if not (0 <= number <= MAX_SECONDS):
        raise RowError("bad_value", f"{name} 超出范围（0–{MAX_SECONDS} 秒）")
    return number


def normalize(row: dict) -> dict:
    """Chinese or English headers (and a UTF-8 BOM on the first one) to our field names."""
    return {HEADERS.get(str(k).strip().lstrip("\ufeff"), str(k)): v for k, v in row.items()}


def clean_row(row) -> dict:
    """A row as model fields, or ``RowError`` with a stable code and a Chinese reason."""
    if not isinstance(row, dict):
        raise RowError("bad_row", "每条记录必须是 JSON 对象")
    row = normalize(row)
    call_id = _text(row, "call_id", 64)
    if not call_id:
        raise RowError("missing_field", "缺少 call_id（通话编号）")
    if not CALL_ID.match(call_id):
        raise RowError("bad_call_id", "call_id 只能包含字母、数字和 . _ : -")
    caller = _text(row, "caller", 64)  # the pattern below limits it to 20
    if caller and not PHONE.match(caller):
        raise RowError("bad_phone", "主叫号码格式不正确")
    agent_ref = _text(row, "agent", 64)
    queue = _text(row, "queue", 40)
    outcome_text = _text(row, "outcome", 12)
    if not outcome_text:
        raise RowError("missing_field", "缺少 outcome（结果：answered/abandoned/missed）")
    outcome = OUTCOMES.get(outcome_text.lower())
    if outcome is None:
        raise RowError("bad_outcome", "outcome 须为 answered（接通）、abandoned（放弃）或 "
                                      "missed（未接）")
    entered = parse_time(row.get("entered_at"), "entered_at", required=True)
    answered = parse_time(row.get("answered_at"), "answered_at")
    ended = parse_time(row.get("ended_at"), "ended_at")
    if outcome == Outcome.ANSWERED and answered is None:
        raise RowError("inconsistent", "结果为接通的记录须有 answered_at（接听时间）")
    if outcome != Outcome.ANSWERED and answered is not None:
        raise RowError("inconsistent", "未接通的记录不应有 answered_at（接听时间）")
    if answered and answered < entered:
        raise RowError("inconsistent", "接听时间早于进线时间")
    if ended and ended < (answered or entered):
        raise RowError("inconsistent", "结束时间早于接听或进线时间")
    wait = _seconds(row.get("wait_seconds"), "wait_seconds")
    talk = _seconds(row.get("talk_seconds"), "talk_seconds")
    stop = answered or (ended if outcome != Outcome.ANSWERED else None)
    if wait is None and stop is not None:
        wait = int((stop - entered).total_seconds())
    if talk is None and answered and ended:
        talk = int((ended - answered).total_seconds())
    return dict(call_id=call_id, caller=caller, agent_ref=agent_ref, queue=queue,
                entered_at=entered, answered_at=answered, ended_at=ended, outcome=outcome,
                wait_seconds=wait, talk_seconds=talk if outcome == Outcome.ANSWERED else None)


def import_row(fields: dict, agents: dict | None = None) -> str:
    """Write one clean row; returns "created", "updated" or "unchanged". ``agents`` caches
    the agent lookups over a batch (a day's records name the same few dozen agents)."""
    fields = dict(fields)
    agents = {} if agents is None else agents
    ref = fields["agent_ref"]
    if ref not in agents:
        agents[ref] = resolve_agent(ref)
    fields["agent"] = agents[ref]
    call_id = fields.pop("call_id")
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                record = CallRecord.objects.select_for_update().filter(call_id=call_id).first()
                if record is None:
                    CallRecord.objects.create(call_id=call_id, source=RecordSource.IMPORT,
                                              updated_at=clock.now(), **fields)
                    return "created"
                before = {name: getattr(record, name) for name in COMPARED}
                for name, value in fields.items():
                    setattr(record, name, value)
                after = {name: getattr(record, name) for name in COMPARED}
                if before == after and record.source == RecordSource.IMPORT:
                    return "unchanged"
                record.source = RecordSource.IMPORT
                record.updated_at = clock.now()
                record.save()
                return "updated"
        except IntegrityError:  # created concurrently by an event: update it instead
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def import_rows(rows, *, first_number: int = 1, numbers=None, progress=None) -> ImportResult:
    """Import ``rows``; row numbers start at ``first_number`` (or come from ``numbers``).
    ``progress(done, total)`` is called every 100 rows and at the end."""
    rows = list(rows)
    result = ImportResult(received=len(rows))
    agents: dict = {}
    for index, row in enumerate(rows):
        number = numbers[index] if numbers else first_number + index
        try:
            fields = clean_row(row)
            outcome = import_row(fields, agents)
        except RowError as exc:
            call_id = normalize(row).get("call_id") if isinstance(row, dict) else None
            result.errors.append({"row": number, "call_id": str(call_id or "")[:64],
                                  "code": exc.code, "message": exc.message})
        else:
            setattr(result, outcome, getattr(result, outcome) + 1)
        if progress and ((index + 1) % 100 == 0 or index + 1 == len(rows)):
            progress(index + 1, len(rows))
    return result
