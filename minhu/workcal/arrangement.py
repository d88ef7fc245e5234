"""Reading and writing a year's holiday arrangement (放假安排) as CSV.

The file has the columns ``date,kind,name``; ``kind`` is holiday/workday, 休/班 or 假/班.
Spreadsheets on Chinese Windows save GBK and write dates as 2027/1/1, so both are accepted.
"""

import codecs
import csv
import io
import re
from datetime import date
from typing import NamedTuple

from django.db import transaction

from .clock import WorkCalendar
from .models import CalendarDay, DayKind

KIND_ALIASES = {
    "holiday": DayKind.HOLIDAY,
    "休": DayKind.HOLIDAY,
    "假": DayKind.HOLIDAY,
    "workday": DayKind.WORKDAY,
    "班": DayKind.WORKDAY,
}
HEADER_WORDS = {"date", "日期"}
NAME_MAX = CalendarDay._meta.get_field("name").max_length
DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
WEEKDAYS = "一二三四五六日"


class Row(NamedTuple):
    line: int
    date: date
    kind: str
    name: str


class Parsed(NamedTuple):
    rows: list[Row]
    errors: list[str]  # any error means nothing may be imported
    warnings: list[str]  # legal but probably a slip


def decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")  # a superset of GBK
    except UnicodeDecodeError:
        raise ValueError("无法识别文件编码，请另存为 UTF-8 或 GBK 编码的 CSV 文件") from None


def parse_date(text: str) -> date | None:
    match = DATE_RE.match(text)
    if not match:
        return None
    try:
        return date(*map(int, match.groups()))
    except ValueError:
        return None


def parse_csv(text: str) -> Parsed:
    rows, errors, warnings = [], [], []
    seen: dict[date, int] = {}
    reader = csv.reader(io.StringIO(text))
    for cells in reader:
        line = reader.line_num
        cells = [c.strip() for c in cells]
        while cells and not cells[-1]:  # spreadsheets pad rows with empty columns
            cells.pop()
        if not cells:
            continue
        if not rows and not errors and cells[0].lower() in HEADER_WORDS:
            continue
        if len(cells) < 2 or len(cells) > 3:
            errors.append(f"第 {line} 行：应为“日期,类型,名称”三列（名称可空）")
            continue
        day, kind = parse_date(cells[0]), KIND_ALIASES.get(cells[1].lower())
        name = cells[2] if len(cells) == 3 else ""
        if day is None:
            errors.append(f"第 {line} 行：日期“{cells[0]}”无效，应写作 2027-01-01")
        if kind is None:
            errors.append(
                f"第 {line} 行：类型“{cells[1]}”无法识别，应为 holiday/workday、休/班 或 假/班"
            )
        if len(name) > NAME_MAX:
            errors.append(f"第 {line} 行：名称超过 {NAME_MAX} 个字")
        if day is not None and day in seen:
            errors.append(f"第 {line} 行：日期 {day} 与第 {seen[day]} 行重复")
        if day is None or kind is None or len(name) > NAME_MAX or day in seen:
            continue
        seen[day] = line
        if kind == DayKind.WORKDAY and day.weekday() < 5:
            warnings.append(
                f"第 {line} 行：{day} 是星期{WEEKDAYS[day.weekday()]}，本来就上班，"
                "标为调休上班日不起作用，请确认类型没有写反"
            )
        rows.append(Row(line, day, kind, name))
    if not rows and not errors:
        errors.append("文件中没有数据行")
    return Parsed(rows, errors, warnings)


def apply_rows(rows: list[Row], dry_run: bool = False) -> tuple[int, int, int]:
    """Upsert by date; return (created, updated, unchanged). The file wins over the table."""
    existing = {d.date: d for d in CalendarDay.objects.filter(date__in=[r.date for r in rows])}
    new, changed = [], []
    for row in rows:
        current = existing.get(row.date)
        if current is None:
            new.append(CalendarDay(date=row.date, kind=row.kind, name=row.name))
        elif (current.kind, current.name) != (row.kind, row.name):
            current.kind, current.name = row.kind, row.name
            changed.append(current)
    if not dry_run:
        with transaction.atomic():
            CalendarDay.objects.bulk_create(new, batch_size=500)
            CalendarDay.objects.bulk_update(changed, ["kind", "name"], batch_size=500)
        WorkCalendar.reset()
    return len(new), len(changed), len(rows) - len(new) - len(changed)


def export_csv(year: int | None = None) -> str:
    days = CalendarDay.objects.order_by("date")
    if year is not None:
        days = days.filter(date__year=year)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["date", "kind", "name"])
    writer.writerows((d.date.isoformat(), d.kind, d.name) for d in days)
    return out.getvalue()


def missing_years(today: date) -> list[int]:
    """This year and next year, if the table has no statutory holiday in them."""
    years = (today.year, today.year + 1)
    known = set(
        CalendarDay.objects.filter(kind=DayKind.HOLIDAY, date__year__in=years).values_list(
            "date__year", flat=True
        )
    )
    return [y for y in years if y not in known]


def missing_year_warning(year: int) -> str:
    return (
        f"{year} 年尚未导入法定节假日安排：在导入之前，{year} 年按“周一至周五上班、周末休息”"
        "计算工作日时限。国务院办公厅公布次年安排（通常在 11—12 月）后，"
        "请用 minhu holidays-import 导入。"
    )
