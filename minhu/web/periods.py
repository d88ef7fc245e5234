"""The date range of a report page (?start=&end=): a bad, reversed or too long range is
corrected and explained on the page, never refused."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from minhu.core import clock


def day_of(value: str) -> date | None:
    try:
        return date.fromisoformat((value or "").strip()[:10])
    except ValueError:
        return None


def report_period(params, *, default_days: int, max_days: int) -> tuple[date, date, str]:
    """[first, last] days (inclusive), by default the last ``default_days`` days, and what
    was corrected ("" when nothing)."""
    today = timezone.localtime(clock.now()).date()
    raw_first, raw_last = params.get("start", ""), params.get("end", "")
    first, last = day_of(raw_first), day_of(raw_last)
    problem = ""
    if (raw_first and first is None) or (raw_last and last is None):
        problem = _("日期格式应为 年-月-日（如 2026-10-01），已按默认区间统计")
    last = last or today
    first = first or last - timedelta(days=default_days - 1)
    if last < first:
        first, last, problem = last, first, _("起止日期颠倒，已自动调换")
    if (last - first).days >= max_days:
        first = last - timedelta(days=max_days - 1)
        problem = _("每次最多统计 %(n)s 天，已截取为最后 %(n)s 天") % {"n": max_days}
    return first, last, problem


def day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """[start, end) in the city's time zone for the days first..last."""
    tz = timezone.get_current_timezone()
    return (timezone.make_aware(datetime.combine(first, time.min), tz),
            timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min), tz))
