"""接通率 = answered / offered, short abandons excluded, on a pinned period."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from minhu.telephony.rates import answer_rate, daily_rates
from minhu.telephony.records import import_rows

from .conftest import city_time

TZ = ZoneInfo("Asia/Shanghai")


def _call(call_id, outcome, entered, wait=None, agent="", caller="13905710001"):
    row = {"call_id": call_id, "outcome": outcome, "entered_at": entered, "agent": agent,
           "caller": caller}
    if outcome == "answered":
        row.update(answered_at=entered.replace("10:00:00", "10:00:10"),
                   ended_at=entered.replace("10:00:00", "10:03:10"))
    if wait is not None:
        row["wait_seconds"] = wait
    return row


@pytest.fixture
def last_day_of_september(switch):
    day = "2025-09-30 10:00:00"
    rows = [_call(f"A1-{i}", "answered", day, agent="agent1") for i in range(4)]
    rows += [_call(f"A2-{i}", "answered", day, agent="agent2") for i in range(2)]
    rows += [_call("AB-1", "abandoned", day, wait=30), _call("AB-2", "abandoned", day, wait=45),
             _call("AB-3", "abandoned", day, wait=3),  # a short abandon: not counted
             _call("M-1", "missed", day, wait=40, agent="agent2"),
             _call("BEFORE", "answered", "2025-09-29 23:59:59", agent="agent1"),
             _call("AFTER", "missed", "2025-10-01 00:00:00", wait=20, agent="agent1")]
    result = import_rows(rows)
    assert result.failed == 0, result.errors
    switch.event("LIVE-1", "ringing", city_time(2025, 9, 30, 10))  # in progress: not counted


def _day(d):
    start = datetime(2025, 9, d, tzinfo=TZ)
    return start, start + timedelta(days=1)


def test_the_answer_rate_of_a_day_leaves_out_short_abandons_and_live_calls(
        last_day_of_september):
    rate = answer_rate(*_day(30))
    assert (rate.answered, rate.abandoned, rate.missed, rate.short_abandoned) == (6, 3, 1, 1)
    assert rate.offered == 9
    assert rate.percent == 66.7


def test_the_short_abandon_threshold_is_configurable(last_day_of_september, settings):
    settings.MINHU_CTI_SHORT_ABANDON_SECONDS = 0
    assert answer_rate(*_day(30)).offered == 10 and answer_rate(*_day(30)).percent == 60.0
    settings.MINHU_CTI_SHORT_ABANDON_SECONDS = 31
    assert answer_rate(*_day(30)).offered == 8  # the 30-second abandon is short now


def test_the_answer_rate_of_one_agent(last_day_of_september, city):
    assert answer_rate(*_day(30), agent=city.user("agent1")).percent == 100.0
    agent2 = answer_rate(*_day(30), agent=city.user("agent2"))
    assert (agent2.answered, agent2.offered, agent2.percent) == (2, 3, 66.7)


def test_daily_rates_put_each_call_on_its_local_day(last_day_of_september):
    days = daily_rates(date(2025, 9, 29), date(2025, 10, 2))
    assert [d for d, _ in days] == [date(2025, 9, 29), date(2025, 9, 30), date(2025, 10, 1),
                                    date(2025, 10, 2)]
    assert [r.offered for _, r in days] == [1, 9, 1, 0]
    assert [r.percent for _, r in days] == [100.0, 66.7, 0.0, None]


def test_a_period_without_calls_has_no_rate(city):
    rate = answer_rate(*_day(1))
    assert rate.offered == 0 and rate.rate is None


# --- The page --------------------------------------------------------------------------------


def test_supervisors_see_the_daily_chart_with_callers_masked(last_day_of_september, city, at):
    client = Client()
    client.force_login(city.user("supervisor1"))
    with at(2025, 9, 30, 18):
        page = client.get("/cti/", {"start": "2025-09-24", "end": "2025-09-30"})
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-stat="rate">70.0%' in html  # 9-29: 1 of 1, 9-30: 6 of 9
    assert '"offered": [0, 0, 0, 0, 0, 1, 9]' in html
    assert "139****0001" in html and "13905710001" not in html


def test_agents_do_not_see_the_answer_rate_page(city):
    client = Client()
    client.force_login(city.user("agent1"))
    assert client.get("/cti/").status_code == 403


def test_a_reversed_period_is_swapped_with_a_notice(city):
    client = Client()
    client.force_login(city.user("leader1"))
    page = client.get("/cti/", {"start": "2025-09-30", "end": "2025-09-01"})
    assert page.status_code == 200 and "起止日期颠倒" in page.content.decode()
