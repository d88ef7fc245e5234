"""Triage on the dispatcher desk: learned suggestions with their source, confidence and
reason, what triage read from the request (type, category, urgency, place, rule hits),
review flags that a person may act on, the duplicate panel, and the auto-dispatch badge."""

from html import unescape

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

from minhu.catalog.models import Category
from minhu.core import clock
from minhu.org.models import Unit
from minhu.triage import routing
from minhu.triage import suggest as suggest_module
from minhu.triage.models import RoutingStat, TriageRecord
from minhu.triage.types import Classification, FlagHint, Guess, PlaceMatch
from minhu.web.desks import dispatch as desk
from minhu.web.tests.test_dispatch_desk import Forms, post_form


@pytest.fixture(autouse=True)
def fresh_cache():
    routing.clear_cache()
    yield
    routing.clear_cache()


@pytest.fixture
def dispatcher(city):
    client = Client()
    client.force_login(city.dispatcher)
    return client


def panel(client, order, **params):
    response = client.get(reverse("web:dispatch-panel", args=[order.number]), params)
    assert response.status_code == 200
    return response


def history(community, category, unit, solved, returned=0):
    RoutingStat.objects.create(community=Unit.objects.get(code=community),
                               category=Category.objects.get(code=category),
                               unit=Unit.objects.get(code=unit), solved=solved,
                               returned=returned, updated_at=clock.now())


def text_of(response) -> str:
    return unescape(response.content.decode())


def test_the_desk_shows_the_learned_suggestion_with_its_reason_and_confidence(
        dispatcher, new_order):
    history("DC0201", "CG01", "DC02", 12)
    order = new_order(community="DC0201", category="CG01")
    page = panel(dispatcher, order)
    top = page.context["panel"]["suggestions"][0]
    assert top.lead.code == "DC02"
    learned = [x for x in [top, *top.also] if x.is_learned][0]
    assert learned.reason == ("权责清单: 噪声扰民→锦绣街道 牵头; "
                              "近90天同社区同类 12 件由锦绣街道办结")
    assert top.best >= 0.9 and top.best_percent == round(learned.confidence * 100)
    html = text_of(page)
    assert learned.reason in html and "智能分拨" in html and "权责清单" in html
    assert f"置信度 {learned.percent}%" in html


def test_a_unit_history_promotes_is_its_own_suggestion_and_one_click_takes_it(
        dispatcher, new_order):
    history("DC0201", "CG01", "CGJ", 15)
    order = new_order(community="DC0201", category="CG01")
    page = panel(dispatcher, order)
    suggestions = page.context["panel"]["suggestions"]
    promoted = [s for s in suggestions if s.lead.code == "CGJ"][0]
    assert promoted.is_learned and "15 件由市城市管理局办结" in promoted.reason
    form = [f for f in Forms(page.text).with_action("/do/dispatch/")
            if ("lead_unit", "CGJ") in f["fields"]][0]
    assert post_form(dispatcher, form).status_code == 302
    order.refresh_from_db()
    assert order.state == "dispatched" and order.lead_unit.code == "CGJ"
    event = order.events.get(action="dispatch")
    assert event.note == "采纳派单建议：" + promoted.reason
    assert "DC02" in event.data["co"]  # the street the list names assists


def test_the_desk_shows_what_triage_read_from_the_request(dispatcher, new_order, monkeypatch):
    monkeypatch.setattr(suggest_module, "_classify", lambda order: Classification(
        categories=[Guess("SZ04", 0.82), Guess("SZ01", 0.1)], first_levels=[Guess("SZ", 0.92)],
        types=[Guess("help", 0.7)], urgencies=[Guess("urgent", 0.97)],
        rule_hits=["燃气泄漏"]))
    monkeypatch.setattr(suggest_module, "_resolve_place", lambda order: PlaceMatch(
        community_id=Unit.objects.get(code="DC0201").pk,
        street_id=Unit.objects.get(code="DC02").pk, district_id=Unit.objects.get(code="DC").pk,
        confidence=0.8, evidence=["内容含“清里”"]))
    order = new_order(category=None, community=None, address="", urgency="normal",
                      content="楼道里一股煤气味，清里这边")
    html = text_of(panel(dispatcher, order))
    assert "求助" in html and "70%" in html
    assert "市政公用 / 燃气" in html and "82%" in html
    assert "紧急" in html and "97%" in html and "与登记的紧急程度不同" in html
    assert "燃气泄漏" in html
    assert "东城区 › 锦绣街道 › 清里社区" in html and "内容含“清里”" in html


def test_a_flag_is_only_a_hint_a_person_may_send_to_review(dispatcher, new_order, monkeypatch):
    monkeypatch.setattr(suggest_module, "_flags", lambda order: [
        FlagHint(code="abusive", reason="含辱骂用语：“**”")])
    order = new_order()
    page = panel(dispatcher, order)
    order.refresh_from_db()
    assert order.unreasonable == ""  # shown, never applied on its own
    form = Forms(page.text).with_action(f"/orders/{order.number}/do/mark-unreasonable/")[0]
    assert ("reason", "含辱骂用语：“**”") in form["fields"]
    assert post_form(dispatcher, form).status_code == 302
    order.refresh_from_db()
    assert order.unreasonable == "pending"


def test_the_duplicate_panel_is_loaded_into_the_desk(dispatcher, new_order):
    order = new_order()
    try:
        url = reverse("dedup:panel", args=[order.number])
    except NoReverseMatch:
        pytest.skip("the duplicate panel is not installed")
    assert f'hx-get="{url}"' in panel(dispatcher, order).text


def test_the_desk_works_when_triage_fails(dispatcher, new_order, monkeypatch):
    def broken(order):
        raise RuntimeError("boom")

    monkeypatch.setattr("minhu.triage.suggest.suggest", broken)
    order = new_order()
    page = panel(dispatcher, order)
    assert "智能分拨暂时不可用" in text_of(page)
    suggestions = page.context["panel"]["suggestions"]
    assert suggestions and not any(s.is_learned for s in suggestions)


def test_an_auto_dispatched_order_says_so(dispatcher, dispatched_order):
    order = dispatched_order()
    TriageRecord.objects.create(order=order, created_at=clock.now(), auto_dispatched=True)
    assert "已自动派单" in text_of(panel(dispatcher, order))


def test_previewing_a_category_routes_the_learned_suggestion_again(dispatcher, new_order):
    history("DC0201", "HB01", "HBJ", 9)
    order = new_order(community="DC0201", category="CG01")
    page = panel(dispatcher, order, category="HB01")
    learned = [x for s in page.context["panel"]["suggestions"] for x in [s, *s.also]
               if x.is_learned]
    assert learned and learned[0].category.code == "HB01"
    assert "9 件由市生态环境局办结" in learned[0].reason


def test_learned_suggestions_skip_units_switched_off(city, new_order):
    order = new_order(community="DC0201", category="SZ01")
    Unit.objects.filter(code="WATER").update(is_active=False)
    routing.clear_cache()
    assert all(s.lead.code != "WATER" for s in desk.learned_suggestions(order))


def test_the_read_only_fragment_shows_the_learned_suggestions(city, dispatcher, new_order):
    history("DC0201", "CG01", "DC02", 12)
    order = new_order(community="DC0201", category="CG01")
    url = reverse("triage:desk-suggestion", args=[order.number])
    html = text_of(dispatcher.get(url))
    assert "近90天同社区同类 12 件由锦绣街道办结" in html and "到派单台处理" in html
    assert "mark-unreasonable" not in html  # nothing to act on here
    street = Client()
    street.force_login(city.street_handler)
    assert street.get(url).status_code == 403
    assert dispatcher.get(reverse("triage:desk-suggestion", args=["NOPE"])).status_code == 404
