"""The full suggestion for one order: classification, place, routes, duplicates, flags;
each part guarded, the whole recorded as a TriageRecord."""

import logging

import pytest

from minhu.org.models import Unit
from minhu.triage import routing
from minhu.triage import suggest as suggest_module
from minhu.triage.models import TriageRecord
from minhu.triage.suggest import record, routes_for, suggest
from minhu.triage.types import Classification, Guess, PlaceMatch


@pytest.fixture(autouse=True)
def fresh_cache():
    routing.clear_cache()
    yield
    routing.clear_cache()


def code_of(unit_id):
    return Unit.objects.get(pk=unit_id).code


def fake_classification(*categories, urgency="normal"):
    return Classification(
        categories=[Guess(code=c, confidence=p) for c, p in categories],
        first_levels=[Guess(code=categories[0][0][:2], confidence=categories[0][1])],
        types=[Guess(code="complaint", confidence=0.8)],
        urgencies=[Guess(code=urgency, confidence=0.9)], rule_hits=["测试规则"])


def test_an_order_a_person_classified_keeps_its_category_and_place(city, new_order):
    order = new_order(category="CG01", community="DC0201")
    s = suggest(order)
    assert s.routes and code_of(s.routes[0].lead_id) == "DC02"
    assert s.routes[0].category_code == "CG01"
    assert s.routes[0].reason.startswith("权责清单: 噪声扰民→锦绣街道 牵头")
    assert s.place.community_id == Unit.objects.get(code="DC0201").pk
    assert s.place.confidence == 1.0
    assert s.elapsed_ms > 0


def test_an_unclassified_order_is_routed_by_the_classifiers_guesses(city, new_order,
                                                                   monkeypatch):
    monkeypatch.setattr(suggest_module, "_classify",
                        lambda order: fake_classification(("SZ01", 0.9), ("HB01", 0.1)))
    order = new_order(category=None, content="家里停水两天了", community="DC0201")
    s = suggest(order)
    assert code_of(s.routes[0].lead_id) == "WATER"
    assert s.routes[0].category_code == "SZ01"
    # A guessed category is weighed by its probability and said so.
    assert s.routes[0].reason.startswith("推测分类“供水” 90%; 权责清单: 供水→云州水务集团 牵头")
    assert s.routes[0].confidence < 0.85 * 0.9 + 1e-6
    assert {r.category_code for r in s.routes} <= {"SZ01", "HB01"}


def test_an_order_without_a_place_gets_one_resolved(city, new_order, monkeypatch):
    community = Unit.objects.get(code="DC0201")
    monkeypatch.setattr(suggest_module, "_resolve_place", lambda order: PlaceMatch(
        district_id=community.parent.parent_id, street_id=community.parent_id,
        community_id=community.pk, confidence=0.5, evidence=["地址含“清里”"]))
    order = new_order(community=None, address="清里那边", category="CG01")
    s = suggest(order)
    assert s.place.evidence == ["地址含“清里”"]
    assert code_of(s.routes[0].lead_id) == "DC02"
    # A territorial lead is only as sure as the place it was found from.
    assert s.routes[0].confidence == pytest.approx(0.85 * 0.5, abs=0.01)


def test_a_failing_part_is_logged_and_left_empty(city, new_order, monkeypatch, caplog):
    def broken(order):
        raise RuntimeError("model file missing")

    monkeypatch.setattr(suggest_module, "_classify", broken)
    monkeypatch.setattr(suggest_module, "_duplicates", broken)
    monkeypatch.setattr(suggest_module, "_flags", broken)
    with caplog.at_level(logging.ERROR):
        s = suggest(new_order(category="CG01"))
    assert s.classification is None and s.duplicates == [] and s.flags == []
    assert s.routes  # the routes still come from the category a person chose
    assert "triage part classify failed" in caplog.text


def test_routing_failure_leaves_no_routes(city, new_order, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("db gone")

    monkeypatch.setattr(suggest_module, "rank_units", broken)
    assert suggest(new_order()).routes == []


def test_routes_over_several_guesses_keep_the_best_per_unit(city):
    chain = {"district": Unit.objects.get(code="DC").pk,
             "street": Unit.objects.get(code="DC02").pk,
             "community": Unit.objects.get(code="DC0201").pk, "grid": None}
    place = PlaceMatch(**{f"{k}_id": v for k, v in chain.items()}, confidence=1.0)
    routes = routes_for([Guess("CG01", 0.6), Guess("CG04", 0.4)], place, is_enterprise=False)
    leads = [r.lead_id for r in routes]
    assert len(leads) == len(set(leads)) <= 3
    assert routes == sorted(routes, key=lambda r: -r.confidence)


def test_record_stores_the_suggestion_once_per_order(city, new_order, monkeypatch):
    monkeypatch.setattr(suggest_module, "_classify",
                        lambda order: fake_classification(("CG01", 0.7), urgency="urgent"))
    order = new_order(community="DC0201")
    rec = record(order)
    assert rec.category_code == "CG01" and rec.category_confidence == 0.7
    assert rec.urgency_code == "urgent" and rec.type_code == "complaint"
    assert code_of(rec.lead_unit_id) == "DC02" and rec.route_confidence > 0
    assert rec.detail["routes"][0]["reason"].startswith("权责清单: ")
    assert rec.detail["classification"]["rule_hits"] == ["测试规则"]
    again = record(order)
    assert again.pk == rec.pk and TriageRecord.objects.filter(order=order).count() == 1
