"""Time-limit clocks.

A clock answers two questions: "when does a span of D run out if it starts at T?"
(``advance``) and "how much of the span has run between A and B?" (``elapsed``).

* ``HoursClock`` counts calendar time.
* ``WorkdayClock`` counts only the time that falls on working days: every working day
  contributes 24 h, holidays and weekends contribute nothing, make-up workdays (调休)
  count. "3 working days" from Friday 15:00 therefore ends on Wednesday 15:00, and an
  order registered on a Saturday starts its clock on Monday 00:00.

Both work in the city's local time (settings.TIME_ZONE) and return aware datetimes.
Pauses (a return under review, an approved extension) are expressed by advancing the
deadline by the time that elapsed on the same clock, so they are exact on both clocks.
"""

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from time import monotonic

from django.utils import timezone

DAY = timedelta(days=1)


class HoursClock:
    def advance(self, start: datetime, span: timedelta) -> datetime:
        return start + span

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        return max(end - start, timedelta(0))


class WorkdayClock:
    def __init__(self, calendar: "WorkCalendar"):
        self.calendar = calendar

    def advance(self, start: datetime, span: timedelta) -> datetime:
        tz = timezone.get_current_timezone()
        local = timezone.localtime(start, tz)
        day = local.date()
        remaining = span
        # Time left on the starting day, if it is a working day.
        if self.calendar.is_workday(day):
            left_today = datetime.combine(day + DAY, time(), tzinfo=tz) - local
            if remaining <= left_today:
                return local + remaining
            remaining -= left_today
        day += DAY
        # Whole working days.
        while True:
            if self.calendar.is_workday(day):
                if remaining <= DAY:
                    return datetime.combine(day, time(), tzinfo=tz) + remaining
                remaining -= DAY
            day += DAY

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        if end <= start:
            return timedelta(0)
        tz = timezone.get_current_timezone()
        a, b = timezone.localtime(start, tz), timezone.localtime(end, tz)
        total = timedelta(0)
        day = a.date()
        while day <= b.date():
            if self.calendar.is_workday(day):
                lo = max(a, datetime.combine(day, time(), tzinfo=tz))
                hi = min(b, datetime.combine(day + DAY, time(), tzinfo=tz))
                if hi > lo:
                    total += hi - lo
            day += DAY
        return total


class WorkCalendar:
    """Working-day rules from the CalendarDay table, cached per year.

    ``reset()`` drops the cache; the admin and the importer call it after edits. Other
    processes (web workers, the task consumer) notice those edits by comparing a
    fingerprint of the table, checked at most once every ``CHECK_EVERY`` seconds.
    """

    CHECK_EVERY = 60.0

    def is_workday(self, day: date) -> bool:
        _refresh_if_changed(self.CHECK_EVERY)
        override = _year_overrides(day.year).get(day)
        if override is not None:
            return override
        return day.weekday() < 5

    @staticmethod
    def reset() -> None:
        _year_overrides.cache_clear()
        # Forget the fingerprint too, so the next lookup records it before reloading.
        _version.update(value=None, checked_at=None)


@lru_cache(maxsize=64)
def _year_overrides(year: int) -> dict[date, bool]:
    from .models import CalendarDay, DayKind

    rows = CalendarDay.objects.filter(date__year=year).values_list("date", "kind")
    return {d: kind == DayKind.WORKDAY for d, kind in rows}


# Shared by every WorkCalendar in the process, like the lru_cache above.
_version: dict = {"value": None, "checked_at": None}


def _fingerprint() -> int:
    """Changes whenever a row is added, deleted or edited (count and max id alone would
    miss an edit in place). The table holds a few dozen rows a year, so hashing it is cheap."""
    from .models import CalendarDay

    return hash(tuple(CalendarDay.objects.order_by("id").values_list("id", "date", "kind")))


def _refresh_if_changed(every: float) -> None:
    checked_at = _version["checked_at"]
    if checked_at is not None and monotonic() - checked_at < every:
        return
    # Read the fingerprint before any year is (re)loaded: an edit landing in between
    # then shows up as a change at the next check instead of being missed.
    value = _fingerprint()
    if _version["value"] is not None and value != _version["value"]:
        _year_overrides.cache_clear()
    _version.update(value=value, checked_at=monotonic())


calendar = WorkCalendar()
hours_clock = HoursClock()
workday_clock = WorkdayClock(calendar)


def span_for(amount: int, unit: str) -> tuple[object, timedelta]:
    """The clock and span for a limit like (7, "days") or (3, "workdays")."""
    if unit == "minutes":
        return hours_clock, timedelta(minutes=amount)
    if unit == "hours":
        return hours_clock, timedelta(hours=amount)
    if unit == "days":
        return hours_clock, timedelta(days=amount)
    if unit == "workdays":
        return workday_clock, timedelta(days=amount)
    raise ValueError(f"unknown limit unit {unit!r}")


def deadline(start: datetime, amount: int, unit: str) -> datetime:
    clock, span = span_for(amount, unit)
    return clock.advance(start, span)
