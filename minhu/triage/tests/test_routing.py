"""Routing: the responsibility list plus the history of who finally solved what where.

The demo city's list (``minhu/demo/duties.py``) gives the cases: 噪声扰民 CG01 is a
territorial matter (the street leads; 市城市管理局 and 市生态环境局 assist, the community
helps), except in 文昌街道 DC01 where the community leads; 供水 SZ01 is a functional matter
of 云州水务集团; 占道经营 CG02 in 东城区 is led by the district's own 城市管理局.
"""

import pytest

from minhu.catalog.models import Category, Responsibility
from minhu.core import clock
from minhu.org.jurisdiction import chain_of
from minhu.org.kinds import GRASSROOTS_KINDS
from minhu.org.models import Unit
from minhu.triage import routing
from minhu.triage.models import RoutingStat
from minhu.triage.routing import rank_units


@pytest.fixture(autouse=True)
def fresh_cache():
    routing.clear_cache()
    yield
    routing.clear_cache()


def chain(code: str) -> dict:
    return chain_of(Unit.objects.get(code=code))


def history(community: str, category: str, **by_unit):
    """``history("DC0201", "CG01", CGJ=(12, 0))``: solved and returned counts per unit."""
    for code, (solved, returned) in by_unit.items():
        RoutingStat.objects.create(
            community=Unit.objects.get(code=community),
            category=Category.objects.get(code=category), unit=Unit.objects.get(code=code),
            solved=solved, returned=returned, updated_at=clock.now())


def leads(routes) -> list[str]:
    units = Unit.objects.in_bulk([r.lead_id for r in routes])
    return [units[r.lead_id].code for r in routes]


def confidences(routes) -> dict[str, float]:
    return dict(zip(leads(routes), [r.confidence for r in routes], strict=True))


def test_a_bare_rule_names_the_street_for_a_territorial_matter(city):
    routes = rank_units("CG01", chain("DC0201"))
    assert leads(routes)[0] == "DC02"
    top = routes[0]
    assert top.reason == "权责清单: 噪声扰民→锦绣街道 牵头"
    assert top.category_code == "CG01"
    co = set(Unit.objects.filter(pk__in=top.co_ids).values_list("code", flat=True))
    assert co == {"CGJ", "HBJ", "DC0201"}
    # The list alone is trusted, but not enough to dispatch on its own.
    assert 0.8 <= top.confidence < 0.9
    assert len(routes) <= 3 and routes == sorted(routes, key=lambda r: -r.confidence)


def test_a_street_line_of_the_list_beats_the_city_wide_one(city):
    routes = rank_units("CG01", chain("DC0101"))
    assert leads(routes)[0] == "DC0101"  # 文昌街道 pilot: the community leads noise


def test_history_confirming_the_rule_raises_the_confidence_with_the_reason(city):
    history("DC0201", "CG01", DC02=(12, 0))
    top = rank_units("CG01", chain("DC0201"))[0]
    assert leads([top]) == ["DC02"]
    assert top.confidence >= 0.9
    assert top.reason == "权责清单: 噪声扰民→锦绣街道 牵头; 近90天同社区同类 12 件由锦绣街道办结"


def test_history_beats_a_bare_rule_within_the_units_the_list_allows(city):
    history("DC0201", "CG01", CGJ=(12, 0))
    routes = rank_units("CG01", chain("DC0201"))
    assert leads(routes)[:2] == ["CGJ", "DC02"]
    assert "近90天同社区同类 12 件由市城市管理局办结" in routes[0].reason
    # The street the list names assists the unit history promotes.
    assert Unit.objects.get(code="DC02").pk in routes[0].co_ids


def test_history_never_brings_in_a_unit_the_list_does_not_name(city):
    history("DC0201", "CG01", JYJ=(40, 0))
    routes = rank_units("CG01", chain("DC0201"))
    assert "JYJ" not in leads(routes)
    assert leads(routes)[0] == "DC02"


def test_a_functional_matter_never_goes_down_to_grassroots_units(city):
    history("DC0201", "SZ01", DC02=(30, 0), DC0201=(10, 0))
    routes = rank_units("SZ01", chain("DC0201"))
    assert leads(routes)[0] == "WATER"
    kinds = Unit.objects.filter(pk__in=[r.lead_id for r in routes]).values_list("kind",
                                                                                flat=True)
    assert not set(kinds) & GRASSROOTS_KINDS
    assert "职能事项不下派基层" in routes[0].reason


def test_a_district_department_line_keeps_the_street_out_of_the_lead(city):
    history("DC0201", "CG02", DC02=(25, 0))
    routes = rank_units("CG02", chain("DC0201"))
    assert leads(routes)[0] == "DC-CGJ"
    assert "DC02" not in leads(routes)
    # ... though the street still assists, as the list says.
    assert Unit.objects.get(code="DC02").pk in routes[0].co_ids


def test_returns_count_against_a_unit(city):
    history("DC0201", "CG01", DC02=(5, 0), CGJ=(8, 0))
    before = rank_units("CG01", chain("DC0201"))
    assert leads(before)[0] == "DC02"  # the list's lead, and history agrees often enough
    even = confidences(before)
    RoutingStat.objects.filter(unit__code="DC02").update(returned=4)
    after = rank_units("CG01", chain("DC0201"))
    again = confidences(after)
    assert again["DC02"] < even["DC02"]
    assert leads(after)[0] == "CGJ"
    assert "锦绣街道退回同类 4 件" in next(r.reason for r in after
                                     if r.lead_id == Unit.objects.get(code="DC02").pk)


def test_a_rule_lead_that_only_returns_loses_its_place(city):
    history("DC0201", "CG01", DC02=(0, 6), CGJ=(4, 0))
    assert leads(rank_units("CG01", chain("DC0201")))[0] == "CGJ"


def test_enterprise_requests_use_the_enterprise_line(city):
    routes = rank_units("QY08", chain("DC0201"), is_enterprise=True)
    assert leads(routes)[0] == "FGW"
    assert routes[0].reason.startswith("权责清单: ")


def test_unknown_or_missing_category_gives_no_route(city):
    assert rank_units(None, chain("DC0201")) == []
    assert rank_units("NOPE", chain("DC0201")) == []


def test_without_a_place_a_territorial_line_is_skipped_for_the_next_one(city):
    routes = rank_units("CG01", {})
    assert leads(routes)[0] == "CGJ"  # the first-level fallback: 城市管理 → 市城市管理局


def test_chain_may_be_given_as_ids(city):
    ids = {k: (u.pk if u else None) for k, u in chain("DC0201").items()}
    assert leads(rank_units("CG01", ids)) == leads(rank_units("CG01", chain("DC0201")))


def test_an_edited_responsibility_line_is_used_at_once(city):
    assert leads(rank_units("SZ01", chain("DC0201")))[0] == "WATER"
    line = Responsibility.objects.get(category__code="SZ01", area__isnull=True)
    line.lead_unit = Unit.objects.get(code="SWJ")
    line.save()
    assert leads(rank_units("SZ01", chain("DC0201")))[0] == "SWJ"


def test_an_inactive_unit_is_never_proposed(city):
    Unit.objects.filter(code="WATER").update(is_active=False)
    routing.clear_cache()
    assert "WATER" not in leads(rank_units("SZ01", chain("DC0201")))


def test_the_look_back_window_of_the_policy_is_named_in_the_reason(city):
    from minhu.triage.models import TriagePolicy

    policy = TriagePolicy.current()
    policy.history_days = 30
    policy.save()
    history("DC0201", "CG01", DC02=(3, 0))
    assert "近30天同社区同类 3 件由锦绣街道办结" in rank_units("CG01", chain("DC0201"))[0].reason
