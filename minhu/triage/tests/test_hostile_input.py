"""Hostile input at triage's and duplicates' edges: the classify API, the order's triage,
the unmerge form and the report's dates. Whatever arrives, the answer is a clear refusal
or a normal answer — never a 500 — and nothing is changed by a refused request."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from minhu.accounts.models import ApiToken, User
from minhu.triage import routing

HOSTILE_TEXTS = [
    "\x00",
    "停水了\x00\x00还没来",
    "<script>alert('x')</script>小区停水",
    "'; DROP TABLE orders_workorder; --",
    "😡😡😡 电梯坏了 🚨",
    "\u202e停水\u202c",
    "ｓｅｌｅｃｔ * ｆｒｏｍ 工单",
    "噪" * 4999,
]


@pytest.fixture(autouse=True)
def fresh_routing_cache():
    routing.clear_cache()
    yield
    routing.clear_cache()


@pytest.fixture
def machine(city):
    _, key = ApiToken.objects.issue(User.objects.get(username="agent1"), "测试")
    client = Client()
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {key}"
    return client


@pytest.mark.parametrize("text", HOSTILE_TEXTS, ids=range(len(HOSTILE_TEXTS)))
def test_classify_answers_or_refuses_any_text_without_a_500(machine, text):
    response = machine.post("/api/v1/triage/classify", json.dumps({"text": text}),
                            content_type="application/json")
    assert response.status_code in (200, 422, 503), response.content[:300]
    if response.status_code != 200:
        assert response.json()["message"]


@pytest.mark.parametrize("raw", [
    b"\xff\xfe\x00garbage",  # not UTF-8
    b"{" * 100_000,  # deeply nested nonsense
    json.dumps({"text": "水" * 2_000_000}).encode(),  # 2 million characters
    b"[]",
    b"null",
])
def test_classify_refuses_malformed_bodies_clearly(machine, raw):
    response = machine.generic("POST", "/api/v1/triage/classify", raw,
                               content_type="application/json")
    assert 400 <= response.status_code < 500, response.content[:300]
    assert response.json()["message"]


def test_a_gbk_body_is_read_the_way_the_whole_api_reads_it_without_a_500(machine):
    # The API decodes bodies leniently everywhere (minhu/api.py); classifying stores nothing.
    response = machine.generic("POST", "/api/v1/triage/classify",
                               '{"text": "停水"}'.encode("gbk"), content_type="application/json")
    assert response.status_code < 500


@pytest.mark.parametrize("number", ["YZ" + "9" * 200, "<script>", "'; --", "%00"])
def test_the_triage_of_a_strange_order_number_is_a_plain_not_found(machine, number):
    response = machine.get(f"/api/v1/orders/{number}/triage")
    assert response.status_code == 404


@pytest.mark.parametrize("reason", ["\x00", "<script>x</script>" * 50, "理" * 5000])
def test_the_unmerge_form_survives_hostile_reasons_and_changes_nothing_by_accident(
        client, city, new_order, reason):
    from minhu.orders.actions import do_merge

    first = new_order(content="锦绣家园3号楼电梯坏了")
    second = new_order(content="锦绣家园3号楼电梯又坏了")
    do_merge(second, city.dispatcher, first.number)
    client.force_login(city.dispatcher)
    page = client.post(reverse("dedup:unmerge", args=[second.number]), {"reason": reason})
    assert page.status_code < 500
    second.refresh_from_db()
    assert second.state in ("merged", "registered")


@pytest.mark.parametrize("query", ["?start=%00&end=%00", "?start=9999-99-99",
                                   "?start=" + "2" * 5000, "?end=<script>"])
def test_the_learning_report_explains_strange_dates(client, city, query):
    client.force_login(city.user("supervisor1"))
    page = client.get("/triage/learning/" + query)
    assert page.status_code == 200
