"""Proactive discoveries are visible in the statistics: per grid, community, street and
district, as a share of all requests over a period."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from minhu.org.models import Place, Unit
from minhu.patrol import stats
from minhu.patrol.actions import PatrolInput, do_patrol_report

TZ = ZoneInfo("Asia/Shanghai")
DAY = datetime(2025, 9, 30, tzinfo=TZ)


@pytest.fixture
def september_30(city, new_order, at):
    """杨磊 reports two problems (one solved on the spot); citizens call about three."""
    worker = city.user("dc010101_handler")
    place = Place.objects.filter(grid__code="DC010101").first()
    with at(2025, 9, 30, 9):
        do_patrol_report(worker, PatrolInput(content="垃圾桶满溢", category="CG04",
                                             place_id=place.pk))
        do_patrol_report(worker, PatrolInput(content="井盖移位", category="CG08",
                                             place_id=place.pk, solved_on_spot=True,
                                             note="已复位"))
        for _ in range(3):
            new_order(community="DC0101")
        new_order(community="XH0101")
    with at(2025, 10, 1, 9):
        new_order(community="DC0101")  # the next day: outside the period


def test_grid_worker_report_is_counted_as_proactive(september_30):
    summary = stats.summary(DAY, DAY + timedelta(days=1))
    assert (summary["proactive"], summary["citizen"], summary["total"]) == (2, 4, 6)
    assert summary["share_pct"] == 33.3
    assert (summary["on_spot"], summary["on_spot_pct"]) == (1, 50.0)


def test_counts_per_grid_community_and_street(september_30):
    end = DAY + timedelta(days=1)
    grid, community, street = (Unit.objects.get(code=c) for c in ("DC010101", "DC0101", "DC01"))
    assert stats.counts(DAY, end, "grid")[grid.pk]["proactive"] == 2
    per_community = stats.counts(DAY, end, "community", area=street)[community.pk]
    assert (per_community["proactive"], per_community["citizen"],
            per_community["share_pct"]) == (2, 3, 40.0)
    assert stats.summary(DAY, end, area=Unit.objects.get(code="XH"))["proactive"] == 0


def test_by_area_lists_every_unit_below_with_zeros_for_quiet_ones(september_30):
    level, rows = stats.by_area(DAY, DAY + timedelta(days=1), Unit.objects.get(code="DC0101"))
    assert level == "grid"
    by_code = {r["code"]: r for r in rows}
    assert by_code["DC010101"]["proactive"] == 2
    assert all(r["total"] == 0 for code, r in by_code.items() if code != "DC010101")


def _page(city, username, **params):
    client = Client()
    client.force_login(city.user(username))
    return client.get("/patrol/stats/", {"start": "2025-09-30", "end": "2025-09-30", **params})


def test_a_street_leader_sees_the_communities_of_their_street(city, september_30):
    page = _page(city, "dc01_leader")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-stat="proactive">2<' in html and 'data-stat="share">40.0%<' in html
    assert 'data-code="DC0101"' in html and 'data-code="XH01"' not in html
    assert "proactive-chart" in html and "echarts.min.js" in html


def test_a_street_leader_cannot_look_into_another_district(city, september_30):
    html = _page(city, "dc01_leader", area="XH").content.decode()
    assert 'data-code="DC0101"' in html and 'data-code="XH01"' not in html


def test_the_centres_analyst_sees_the_districts_and_can_drill_down(city, september_30):
    html = _page(city, "leader1").content.decode()
    assert 'data-code="DC"' in html and 'data-code="XH"' in html
    assert 'data-stat="share">33.3%<' in html
    drilled = _page(city, "leader1", area="DC0101").content.decode()
    assert 'data-code="DC010101"' in drilled


@pytest.mark.parametrize("username", ["dc010101_handler", "agent1", "cgj_leader"])
def test_others_do_not_see_the_statistics(city, username):
    assert _page(city, username).status_code == 403
