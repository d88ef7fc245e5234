from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from minhu.workcal.clock import calendar, deadline, hours_clock, workday_clock

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


def test_the_hours_clock_counts_holidays_like_any_other_time():
    start = at(2025, 9, 30, 10)
    assert hours_clock.advance(start, timedelta(hours=48)) == at(2025, 10, 2, 10)
    assert hours_clock.elapsed(start, at(2025, 10, 2, 10)) == timedelta(hours=48)


def test_the_hours_clock_never_reports_negative_time():
    assert hours_clock.elapsed(at(2025, 10, 2), at(2025, 10, 1)) == timedelta(0)


def test_an_hours_limit_runs_in_calendar_hours():
    assert deadline(at(2025, 9, 30, 23), 2, "hours") == at(2025, 10, 1, 1)


def test_a_days_limit_runs_through_the_holiday():
    assert deadline(at(2025, 9, 30, 10), 7, "days") == at(2025, 10, 7, 10)


def test_a_workdays_limit_skips_the_holiday():
    assert deadline(at(2025, 9, 30, 10), 3, "workdays") == at(2025, 10, 11, 10)


def test_an_unknown_unit_is_refused():
    with pytest.raises(ValueError):
        deadline(at(2025, 9, 30, 10), 3, "fortnights")


moments = st.datetimes(
    min_value=datetime(2024, 1, 1),
    max_value=datetime(2026, 12, 31, 23, 59, 59),
    timezones=st.just(SH),
)
spans = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=40))
# The database fixture wraps all examples in one transaction; they only read.
property_settings = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@property_settings
@given(start=moments, span=spans)
def test_the_time_elapsed_until_a_deadline_is_the_span_it_was_set_for(start, span):
    # Holds for any start: one registered on a day off starts at the next working day.
    assert workday_clock.elapsed(start, workday_clock.advance(start, span)) == span


@property_settings
@given(start=moments, end=moments)
def test_advancing_by_the_elapsed_time_from_a_working_day_never_overshoots(start, end):
    assume(calendar.is_workday(start.date()) and start <= end)
    assert workday_clock.advance(start, workday_clock.elapsed(start, end)) <= end
