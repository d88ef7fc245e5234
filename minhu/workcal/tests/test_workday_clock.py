"""The working-day clock around the 2025 National Day holiday.

Oct 1–8 2025 are off; Sunday Sep 28 and Saturday Oct 11 are make-up workdays (调休).
The table was filled from chinese_calendar when the test database was migrated.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from minhu.workcal.clock import calendar, workday_clock

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


def days(n: float) -> timedelta:
    return timedelta(days=n)


def test_the_calendar_knows_the_national_day_arrangement():
    assert calendar.is_workday(date(2025, 9, 28))  # Sunday, make-up workday
    assert not calendar.is_workday(date(2025, 9, 27))  # Saturday
    assert not any(calendar.is_workday(date(2025, 10, d)) for d in range(1, 9))
    assert calendar.is_workday(date(2025, 10, 11))  # Saturday, make-up workday
    assert not calendar.is_workday(date(2025, 10, 12))


def test_three_working_days_from_before_the_holiday_end_on_the_make_up_saturday():
    start = at(2025, 9, 30, 10)
    assert workday_clock.advance(start, days(3)) == at(2025, 10, 11, 10)
    assert workday_clock.elapsed(start, at(2025, 10, 11, 10)) == days(3)


def test_the_holiday_adds_nothing_to_the_elapsed_time():
    assert workday_clock.elapsed(at(2025, 9, 30, 15), at(2025, 10, 9, 0)) == timedelta(hours=9)
    assert workday_clock.elapsed(at(2025, 10, 2, 8), at(2025, 10, 7, 20)) == timedelta(0)


def test_a_make_up_sunday_counts_but_its_saturday_does_not():
    assert workday_clock.advance(at(2025, 9, 26, 10), days(2)) == at(2025, 9, 29, 10)
    assert workday_clock.elapsed(at(2025, 9, 27), at(2025, 9, 29)) == days(1)


def test_an_ordinary_weekend_is_skipped():
    assert workday_clock.advance(at(2025, 11, 14, 15), days(3)) == at(2025, 11, 19, 15)


def test_an_order_registered_on_a_saturday_starts_its_clock_on_monday():
    assert workday_clock.advance(at(2025, 11, 15, 10), days(1)) == at(2025, 11, 18)
    assert workday_clock.elapsed(at(2025, 11, 15, 10), at(2025, 11, 17, 6)) == timedelta(hours=6)


def test_an_order_registered_on_the_make_up_saturday_counts_that_saturday():
    assert workday_clock.advance(at(2025, 10, 11, 9), days(1)) == at(2025, 10, 13, 9)


def test_an_order_registered_during_the_holiday_starts_its_clock_after_it():
    start = at(2025, 10, 3, 14)
    assert workday_clock.advance(start, timedelta(0)) == at(2025, 10, 9)
    # Oct 9, Oct 10 and the make-up Saturday Oct 11.
    assert workday_clock.advance(start, days(3)) == at(2025, 10, 12)


def test_a_zero_span_on_a_working_day_ends_where_it_starts():
    assert workday_clock.advance(at(2025, 9, 30, 10), timedelta(0)) == at(2025, 9, 30, 10)


def test_a_span_ending_exactly_at_midnight_before_the_holiday_is_not_pushed_past_it():
    assert workday_clock.advance(at(2025, 9, 30, 15), timedelta(hours=9)) == at(2025, 10, 1)


def test_one_second_more_lands_just_after_the_holiday():
    span = timedelta(hours=9, seconds=1)
    assert workday_clock.advance(at(2025, 9, 30, 15), span) == at(2025, 10, 9, 0, 0, 1)


def test_a_whole_day_from_midnight_ends_at_the_next_midnight():
    assert workday_clock.advance(at(2025, 10, 9), days(1)) == at(2025, 10, 10)
    assert workday_clock.elapsed(at(2025, 10, 9), at(2025, 10, 10)) == days(1)


def test_no_time_elapses_backwards():
    assert workday_clock.elapsed(at(2025, 10, 10), at(2025, 10, 9)) == timedelta(0)


def test_a_year_without_an_imported_arrangement_follows_the_weekday_rule():
    assert calendar.is_workday(date(2027, 1, 1))  # a Friday
    assert not calendar.is_workday(date(2027, 1, 2))
