"""The dispatcher desk 派单台 through the web client: the queue with suggestions, one-click
dispatch, the returns queue, merging duplicates, sub-centres, extensions and bad input."""

from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from minhu.catalog.routing import route_order
from minhu.orders import actions as a
from minhu.orders.models import WorkOrder

DESK = "/dispatch/"


class Forms(HTMLParser):
    """The forms of a page: action, attributes and the name/value pairs they would send."""

    def __init__(self, html: str):
        super().__init__()
        self.forms, self._form = [], None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {"attrs": attrs, "action": attrs.get("action", ""), "fields": []}
            self.forms.append(self._form)
        elif tag == "input" and self._form is not None and attrs.get("name"):
            if attrs.get("type") == "checkbox" and "checked" not in attrs:
                return
            self._form["fields"].append((attrs["name"], attrs.get("value", "")))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None

    def find(self, **attrs) -> dict:
        for form in self.forms:
            if all(form["attrs"].get(k.replace("_", "-")) == v for k, v in attrs.items()):
                return form
        raise AssertionError(f"no form with {attrs}")

    def with_action(self, part: str) -> list[dict]:
        return [f for f in self.forms if part in f["action"]]


def post_form(client, form, **override):
    data = {}
    for name, value in form["fields"]:
        data.setdefault(name, []).append(value)
    data.update({k: v for k, v in override.items()})
    return client.post(form["action"], data)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def panel(client, order, **params):
    return client.get(reverse("web:dispatch-panel", args=[order.number]), params)


def actions_of(order):
    return list(order.events.order_by("seq").values_list("action", flat=True))


@pytest.fixture
def dispatcher(city):
    return client_for(city.dispatcher)


def test_the_desk_opens_for_a_dispatcher_and_not_for_a_street_handler(city, dispatcher,
                                                                        new_order):
    order = new_order()
    page = dispatcher.get(DESK)
    assert page.status_code == 200
    assert order.number in page.text and "待派单" in page.text
    refused = client_for(city.street_handler).get(DESK)
    assert refused.status_code == 403
    assert "您无权进入派单台" in refused.text
    assert client_for(city.street_handler).get(
        reverse("web:dispatch-panel", args=[order.number])).status_code == 403


def test_an_anonymous_visitor_is_sent_to_the_login_page(db):
    response = Client().get(DESK)
    assert response.status_code == 302 and "/login/" in response.url


def test_the_suggestion_panel_shows_the_responsibility_list_reason_for_a_new_order(
        dispatcher, new_order):
    order = new_order()
    route = route_order(order)
    page = panel(dispatcher, order)
    assert page.status_code == 200
    assert route.reason in page.text
    assert route.lead.name in page.text
    assert "按建议派单" in page.text and 'data-key="d"' in page.text
    suggestion = page.context["panel"]["suggestions"][0]
    assert suggestion.lead == route.lead and 0 < suggestion.confidence <= 1


def test_an_unclassified_order_gets_suggestions_from_the_keywords_it_contains(dispatcher,
                                                                           new_order):
    order = new_order(category=None, content="家里停水两天了，水压低，没水做饭")
    suggestions = panel(dispatcher, order).context["panel"]["suggestions"]
    assert suggestions and suggestions[0].category.code == "SZ01"
    assert suggestions[0].lead.code == "WATER"
    assert "按关键词推测分类" in suggestions[0].reason
    assert suggestions[0].confidence < 0.8  # never as sure as a category a person chose


def test_the_queue_puts_the_most_urgent_first_then_the_oldest(dispatcher, new_order, at):
    with at(2025, 6, 2, 9):
        older = new_order()
    with at(2025, 6, 2, 10):
        urgent = new_order(urgency="urgent")
    with at(2025, 6, 2, 11):
        rows = dispatcher.get(DESK).context["rows"]
    numbers = [o.number for o in rows]
    assert numbers.index(urgent.number) < numbers.index(older.number)


def test_one_click_dispatch_sends_the_order_to_the_suggested_lead(dispatcher, new_order):
    order = new_order()
    route = route_order(order)
    form = Forms(panel(dispatcher, order).text).find(data_key="d")
    response = post_form(dispatcher, form)
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.state == "dispatched" and order.lead_unit == route.lead
    event = order.events.order_by("seq").last()
    assert event.action == "dispatch" and event.target_unit == route.lead
    assert event.data["lead"] == route.lead.code
    assert event.data["co"] == [u.code for u in route.co]


def test_a_dispatcher_can_choose_other_units_and_change_the_urgency(city, dispatcher,
                                                                    new_order):
    order = new_order()
    url = reverse("web:act", args=[order.number, "dispatch"])
    response = dispatcher.post(url, {"lead_unit": "CGJ", "co_units": ["DC01", "HBJ"],
                                     "urgency": "pressing", "next": DESK},
                               headers={"HX-Request": "true"})
    assert response.status_code == 204 and response["HX-Redirect"] == DESK
    order.refresh_from_db()
    assert order.lead_unit.code == "CGJ" and order.urgency.code == "pressing"
    assert sorted(order.assignments.values_list("unit__code", flat=True)) == [
        "CGJ", "DC01", "HBJ"]


def test_previewing_another_category_shows_its_suggestion(dispatcher, new_order):
    order = new_order(category="CG01")
    page = panel(dispatcher, order, category="HB01")
    suggestion = page.context["panel"]["suggestions"][0]
    assert suggestion.category.code == "HB01"
    assert "市生态环境局" in page.text
    form = Forms(page.text).find(data_key="d")
    assert ("category", "HB01") in form["fields"]


def test_the_unit_picker_finds_units_by_name_or_code(dispatcher):
    by_name = dispatcher.get(reverse("web:dispatch-units"), {"uq": "城市管理"})
    assert "市城市管理局" in by_name.text and 'data-code="CGJ"' in by_name.text
    by_code = dispatcher.get(reverse("web:dispatch-units"), {"uq": "DC01"})
    assert 'data-code="DC01"' in by_code.text
    centre = dispatcher.get(reverse("web:dispatch-units"), {"uq": "12345"})
    assert "data-code" not in centre.text  # the centre and sub-centres do not handle orders


def test_the_returns_queue_lists_a_returned_order_and_approve_with_reassign_works(
        city, dispatcher, dispatched_order):
    order = dispatched_order(lead="DC01")
    a.do_sign(order, city.street_handler)
    a.do_return(order, city.street_handler, "店铺油烟属于城管执法职责，请改派城管局",
                suggested_unit=city.unit("CGJ").pk)
    queue = dispatcher.get(DESK, {"tab": "returns"})
    assert order.number in queue.text
    assert "店铺油烟属于城管执法职责" in queue.text and "退单" in queue.text
    assert [t["count"] for t in queue.context["tabs"] if t["key"] == "returns"] == [1]

    page = panel(dispatcher, order, tab="returns")
    assert "市城市管理局" in page.text  # the unit's suggestion, prefilled
    form = Forms(page.text).find(data_key="d")
    assert ("lead_unit", "CGJ") in form["fields"] and ("approve", "true") in form["fields"]
    assert post_form(dispatcher, form, note="同意改派").status_code == 302
    order.refresh_from_db()
    assert order.state == "dispatched" and order.lead_unit.code == "CGJ"
    assert actions_of(order)[-1] == "review_return"


def test_a_return_can_go_back_to_the_pool_or_be_rejected_with_a_note(city, dispatcher,
                                                                    dispatched_order):
    first = dispatched_order(lead="DC01")
    a.do_return(first, city.street_handler, "地址不在本街道辖区内")
    pool = [f for f in Forms(panel(dispatcher, first, tab="returns").text)
            .with_action("review-return") if "lead_unit" not in dict(f["fields"])][0]
    post_form(dispatcher, pool)
    first.refresh_from_db()
    assert first.state == "registered" and first.lead_unit is None

    second = dispatched_order(lead="DC01")
    a.do_return(second, city.street_handler, "地址不在本街道辖区内")
    url = reverse("web:act", args=[second.number, "review-return"])
    empty = dispatcher.post(url, {"approve": "false", "note": " "},
                            headers={"HX-Request": "true"})
    assert empty.status_code == 200 and "驳回退单须说明理由" in empty.text
    dispatcher.post(url, {"approve": "false", "note": "经核实地址属于本街道"})
    second.refresh_from_db()
    assert second.state == "dispatched"


def test_merge_from_the_similar_orders_panel(dispatcher, new_order):
    master = new_order(citizen_phone="13900001111")
    duplicate = new_order(citizen_phone="13900002222",
                          content="锦绣家园楼下烧烤店又在营业，油烟很大")
    page = panel(dispatcher, duplicate)
    similar = page.context["panel"]["similar"]
    assert [o.number for o in similar] == [master.number]
    assert similar[0].why == "同社区同分类"
    form = [f for f in Forms(page.text).with_action(f"/orders/{duplicate.number}/do/merge/")
            if ("master", master.number) in f["fields"]][0]
    assert post_form(dispatcher, form).status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.state == "merged" and duplicate.master == master
    assert actions_of(master)[-1] == "merged_in"


def test_the_same_caller_counts_as_similar(dispatcher, new_order):
    first = new_order(category="HB01")
    second = new_order(category="CG01")
    similar = panel(dispatcher, second).context["panel"]["similar"]
    assert [(o.number, o.why) for o in similar] == [(first.number, "同一来电号码")]


def test_a_sub_centre_dispatcher_sees_only_the_orders_forwarded_to_it(city, new_order):
    forwarded = new_order()
    a.do_forward(forwarded, city.dispatcher, city.unit("DC-FZX").pk, "东城区分中心派单")
    kept = new_order()  # also in 东城区, but still with the city centre
    sub = client_for(city.user("dc_dispatcher"))
    page = sub.get(DESK)
    assert page.status_code == 200
    numbers = [o.number for o in page.context["rows"]]
    assert numbers == [forwarded.number]
    # Elsewhere in the district it shows only as a possible duplicate, not to be acted on.
    similar = panel(sub, forwarded).context["panel"]["similar"]
    assert [(o.number, o.can_merge_in) for o in similar] == [(kept.number, False)]
    # The city centre's own queue leaves it to the sub-centre unless asked for everything.
    centre = client_for(city.dispatcher)
    assert forwarded.number not in [o.number for o in centre.get(DESK).context["rows"]]
    everything = centre.get(DESK, {"scope": "all"}).context["rows"]
    assert forwarded.number in [o.number for o in everything]


def test_forwarding_to_a_sub_centre_from_the_panel(city, dispatcher, new_order):
    order = new_order()
    form = Forms(panel(dispatcher, order).text).with_action("/do/forward/")[0]
    assert post_form(dispatcher, form, sub_centre="DC-FZX").status_code == 302
    order.refresh_from_db()
    assert order.dispatch_unit.code == "DC-FZX" and order.state == "registered"


def test_a_pending_extension_is_approved_from_its_tab(city, dispatcher, dispatched_order, at):
    with at(2025, 6, 2, 9):
        order = dispatched_order(lead="DC01")
        a.do_sign(order, city.street_handler)
        a.do_request_extension(order, city.street_handler, 3, "workdays", "需协调施工单位")
        page = dispatcher.get(DESK, {"tab": "extensions"})
        assert order.number in page.text and "需协调施工单位" in page.text
        due = WorkOrder.objects.get(pk=order.pk).due_at
        url = reverse("web:act", args=[order.number, "review-extension"])
        dispatcher.post(url, {"approve": "true", "note": "同意"})
    order.refresh_from_db()
    assert order.extension_status == "approved" and order.due_at > due


def test_a_dissatisfied_review_reopens_the_order(city, dispatcher, dispatched_order):
    order = dispatched_order(lead="DC01")
    a.do_sign(order, city.street_handler)
    a.do_reply(order, city.street_handler, "已处理", solved=True)
    a.do_callback(order, city.callback_agent, reached=True, resolved="no",
                  satisfaction="dissatisfied", note="油烟依旧")
    page = dispatcher.get(DESK, {"tab": "dissatisfied"})
    assert order.number in page.text
    assert "油烟依旧" in panel(dispatcher, order, tab="dissatisfied").text
    url = reverse("web:act", args=[order.number, "review-dissatisfaction"])
    dispatcher.post(url, {"reopen": "true", "note": "确未解决，重办"})
    order.refresh_from_db()
    assert order.state == "dispatched" and order.reopen_count == 1


@pytest.mark.parametrize("lead", ["NOPE", "<script>alert(1)</script>", "'; DROP TABLE x;--"])
def test_an_unknown_unit_code_is_refused_in_plain_chinese(dispatcher, new_order, lead):
    order = new_order()
    url = reverse("web:act", args=[order.number, "dispatch"])
    response = dispatcher.post(url, {"lead_unit": lead}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "不存在" in response.text and "<script>alert" not in response.text
    order.refresh_from_db()
    assert order.state == "registered"


def test_bad_input_on_the_desk_gives_a_message_not_an_error(dispatcher, new_order):
    order = new_order()
    script = "<script>alert(1)</script>"
    assert "诉求分类不存在" in panel(dispatcher, order, category=script).text
    for params in ({"tab": script}, {"q": script}, {"page": "-1"}, {"o": script},
                   {"urgency": "' OR 1=1 --"}):
        response = dispatcher.get(DESK, params)
        assert response.status_code == 200
        assert script not in response.text
    search = dispatcher.get(reverse("web:dispatch-units"), {"uq": script})
    assert search.status_code == 200 and script not in search.text
    missing = dispatcher.get(reverse("web:dispatch-panel", args=["YZ000"]))
    assert missing.status_code == 200 and "不存在" in missing.text


def test_a_merge_note_with_markup_is_stored_as_text_and_shown_escaped(dispatcher, new_order):
    master = new_order(citizen_phone="13900001111")
    other = new_order(citizen_phone="13900002222")
    url = reverse("web:act", args=[other.number, "merge"])
    dispatcher.post(url, {"master": master.number, "note": "<b>重复</b><script>x()</script>"})
    page = dispatcher.get(reverse("web:order", args=[master.number]))
    assert "<script>x()</script>" not in page.text
    assert "&lt;script&gt;" in page.text
