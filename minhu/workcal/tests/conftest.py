import pytest

from minhu.workcal.clock import WorkCalendar


@pytest.fixture(autouse=True)
def fresh_calendar_cache():
    # The cache lives for the whole process; each test's rows are rolled back after it.
    WorkCalendar.reset()
    yield
    WorkCalendar.reset()
