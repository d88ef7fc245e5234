"""Other processes edit the calendar too; their edits must reach this process's cache."""

from datetime import date

import pytest

from minhu.workcal import clock
from minhu.workcal.clock import calendar
from minhu.workcal.models import CalendarDay, DayKind

pytestmark = pytest.mark.django_db
LAST_HOLIDAY = date(2025, 10, 8)


@pytest.fixture
def seconds(monkeypatch):
    """A hand-driven monotonic clock for the cache check."""
    now = [1000.0]
    monkeypatch.setattr(clock, "monotonic", lambda: now[0])
    return now


def test_an_edit_made_elsewhere_is_noticed_within_a_minute(seconds):
    assert not calendar.is_workday(LAST_HOLIDAY)
    CalendarDay.objects.filter(date=LAST_HOLIDAY).update(kind=DayKind.WORKDAY)  # no reset()
    seconds[0] += 30
    assert not calendar.is_workday(LAST_HOLIDAY)
    seconds[0] += 31
    assert calendar.is_workday(LAST_HOLIDAY)


def test_a_deletion_made_elsewhere_is_noticed(seconds):
    assert not calendar.is_workday(LAST_HOLIDAY)
    CalendarDay.objects.filter(date=LAST_HOLIDAY).delete()
    seconds[0] += 61
    assert calendar.is_workday(LAST_HOLIDAY)  # a Wednesday


def test_an_addition_made_elsewhere_is_noticed(seconds):
    assert calendar.is_workday(date(2027, 1, 1))
    CalendarDay.objects.create(date=date(2027, 1, 1), kind=DayKind.HOLIDAY, name="元旦")
    seconds[0] += 61
    assert not calendar.is_workday(date(2027, 1, 1))


def test_reset_takes_effect_at_once(seconds):
    assert not calendar.is_workday(LAST_HOLIDAY)
    CalendarDay.objects.filter(date=LAST_HOLIDAY).update(kind=DayKind.WORKDAY)
    clock.WorkCalendar.reset()
    assert calendar.is_workday(LAST_HOLIDAY)
