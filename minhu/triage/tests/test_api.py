"""Triage over HTTP: an order's suggestion (same access rules as the order) and the
classification of a free text, with limits and Chinese errors."""

import pytest
from django.test import Client

from minhu.accounts.models import ApiToken, User
from minhu.catalog.models import Category
from minhu.core import clock
from minhu.org.models import Unit
from minhu.triage import routing
from minhu.triage import suggest as suggest_module
from minhu.triage.models import RoutingStat
from minhu.triage.types import Classification, DuplicateHint, FlagHint, Guess


@pytest.fixture(autouse=True)
def fresh_cache():
    routing.clear_cache()
    yield
    routing.clear_cache()


class Api:
    def __init__(self):
        self.client = Client()

    def headers(self, username):
        if not username:
            return {}
        _, key = ApiToken.objects.issue(User.objects.get(username=username), "测试")
        return {"HTTP_AUTHORIZATION": f"Bearer {key}"}

    def get(self, username, path):
        return self.client.get(path, **self.headers(username))

    def post(self, username, path, body=None, raw=None):
        data = raw if raw is not None else (body if body is not None else {})
        return self.client.post(path, data, content_type="application/json",
                                **self.headers(username))


@pytest.fixture
def api(city):
    return Api()


def fake_classify(text, title=""):
    return Classification(categories=[Guess("CG01", 0.88), Guess("CG10", 0.07)],
                          first_levels=[Guess("CG", 0.95)], types=[Guess("complaint", 0.81)],
                          urgencies=[Guess("normal", 0.9)], rule_hits=[], model_version=None)


def test_a_dispatcher_reads_an_orders_triage(api, new_order):
    RoutingStat.objects.create(community=Unit.objects.get(code="DC0201"),
                               category=Category.objects.get(code="CG01"),
                               unit=Unit.objects.get(code="DC02"), solved=12,
                               updated_at=clock.now())
    order = new_order(community="DC0201", category="CG01")
    response = api.get("dispatcher1", f"/api/v1/orders/{order.number}/triage")
    assert response.status_code == 200, response.content.decode()
    body = response.json()
    assert body["number"] == order.number
    top = body["routes"][0]
    assert top["lead"] == {"code": "DC02", "name": "锦绣街道", "kind": "street"}
    assert {u["code"] for u in top["co"]} == {"CGJ", "HBJ", "DC0201"}
    assert top["reason"] == "权责清单: 噪声扰民→锦绣街道 牵头; 近90天同社区同类 12 件由锦绣街道办结"
    assert 0.9 <= top["confidence"] <= 1 and top["category_code"] == "CG01"
    assert body["place"]["community"]["code"] == "DC0201" and body["place"]["confidence"] == 1
    assert body["elapsed_ms"] >= 0


def test_the_triage_names_only_duplicates_the_caller_may_see(api, new_order, monkeypatch):
    other = new_order(community="DC0201")
    monkeypatch.setattr(suggest_module, "_duplicates", lambda order: [
        DuplicateHint(order_id=other.pk, kind="incident", score=0.9, reason="文本相似 0.90"),
        DuplicateHint(order_id=10**9, kind="repeat", score=0.8, reason="同一来电")])
    monkeypatch.setattr(suggest_module, "_flags", lambda order: [
        FlagHint(code="outside_duty", reason="明显不属于政府职责")])
    order = new_order(community="DC0201")
    body = api.get("dispatcher1", f"/api/v1/orders/{order.number}/triage").json()
    assert body["duplicates"] == [{"number": other.number, "kind": "incident", "score": 0.9,
                                   "reason": "文本相似 0.90", "incident_id": None}]
    assert body["flags"] == [{"code": "outside_duty", "reason": "明显不属于政府职责"}]


def test_an_order_the_caller_may_not_see_is_a_404(api, new_order):
    order = new_order()
    response = api.get("dc02_handler", f"/api/v1/orders/{order.number}/triage")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert api.get("dispatcher1", "/api/v1/orders/NOPE/triage").status_code == 404


def test_without_credentials_it_is_a_401(api, new_order):
    order = new_order()
    response = api.get(None, f"/api/v1/orders/{order.number}/triage")
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"


def test_classify_a_text_with_its_place(api, monkeypatch):
    monkeypatch.setattr("minhu.triage.classify.classify", fake_classify)
    response = api.post("agent1", "/api/v1/triage/classify",
                        {"text": "楼下烧烤店太吵了", "title": "噪音", "address": "清里社区"})
    assert response.status_code == 200, response.content.decode()
    body = response.json()
    c = body["classification"]
    assert c["category"] == {"code": "CG01", "name": "噪声扰民", "confidence": 0.88,
                             "evidence": ""}
    assert c["type"]["name"] == "投诉" and c["urgency"]["name"] == "一般"
    assert [g["code"] for g in c["categories"]] == ["CG01", "CG10"]
    assert "place" in body and body["elapsed_ms"] >= 0


def test_classify_with_the_installed_model_answers(api):
    response = api.post("agent1", "/api/v1/triage/classify", {"text": "小区停水了，什么时候来水"})
    assert response.status_code in (200, 503), response.content.decode()
    if response.status_code == 200:
        assert response.json()["classification"]["categories"]


@pytest.mark.parametrize("body, message", [
    ({}, "字段 text 为必填项"),
    ({"text": ""}, "字段 text 不能为空"),
    ({"text": "   "}, "字段 text 不能为空"),
    ({"text": "长" * 5001}, "字段 text 过长（最多 5000 个字符）"),
    ({"text": "噪音", "title": "题" * 121}, "字段 title 过长（最多 120 个字符）"),
    ({"text": "噪音", "address": "址" * 201}, "字段 address 过长（最多 200 个字符）"),
    ({"text": 12}, "字段 text 必须是字符串"),
])
def test_bad_input_is_refused_in_chinese(api, body, message):
    response = api.post("agent1", "/api/v1/triage/classify", body)
    assert response.status_code == 422
    assert response.json()["code"] == "validation_failed"
    assert message in response.json()["message"]


def test_a_body_that_is_not_json_is_refused(api):
    response = api.post("agent1", "/api/v1/triage/classify", raw="不是 JSON")
    assert response.status_code == 400 and response.json()["code"] == "bad_json"


def test_a_broken_classifier_is_a_503_not_a_500(api, monkeypatch):
    def broken(text, title=""):
        raise RuntimeError("model file missing")

    monkeypatch.setattr("minhu.triage.classify.classify", broken)
    response = api.post("agent1", "/api/v1/triage/classify", {"text": "噪音扰民"})
    assert response.status_code == 503
    assert response.json() == {"code": "triage_unavailable",
                               "message": "智能识别暂时不可用，请稍后重试", "details": {}}


def test_classify_needs_a_login(api):
    response = api.post(None, "/api/v1/triage/classify", {"text": "噪音扰民"})
    assert response.status_code == 401
