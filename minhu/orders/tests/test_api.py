"""The HTTP API, end to end through django.test.Client only: the closed loop, idempotent
intake, lists and filters, masking and revealing, visibility, auth and the OpenAPI."""

import io
import re
from datetime import datetime

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from minhu.accounts.models import ApiToken, User
from minhu.audit.models import AuditEntry
from minhu.orders.operations import OPERATIONS

COMPLAINT = {
    "content": "锦绣家园3号楼下烧烤店油烟和噪音扰民，晚上十二点还在营业",
    "request_type": "complaint",
    "category": "CG01",
    "urgency": "normal",
    "citizen_name": "张晓梅",
    "citizen_phone": "13812345678",
    "community": "DC0101",
    "address": "锦绣家园3号楼",
}


class Api:
    """A test client that speaks as the demo city's people, each with their own token."""

    def __init__(self):
        self.client = Client()
        self.keys: dict[str, str] = {}

    def key(self, username: str) -> str:
        if username not in self.keys:
            _, self.keys[username] = ApiToken.objects.issue(
                User.objects.get(username=username), "测试")
        return self.keys[username]

    def _auth(self, username):
        return {"HTTP_AUTHORIZATION": f"Bearer {self.key(username)}"} if username else {}

    def get(self, username, path, **params):
        return self.client.get(path, params, **self._auth(username))

    def post(self, username, path, body=None, **headers):
        return self.client.post(path, body if body is not None else {},
                                content_type="application/json",
                                **self._auth(username), **headers)

    def act(self, username, number, operation, body=None, expect=200):
        response = self.post(username, f"/api/v1/orders/{number}/{operation}", body)
        assert response.status_code == expect, response.content.decode()
        return response.json()

    def register(self, username="agent1", expect=201, **fields):
        response = self.post(username, "/api/v1/orders", {**COMPLAINT, **fields})
        assert response.status_code == expect, response.content.decode()
        return response.json()


@pytest.fixture
def api(city) -> Api:
    return Api()


def actions(detail) -> list[str]:
    return [e["action"] for e in detail["timeline"]]


# --- The closed loop -----------------------------------------------------------------


def test_the_whole_closed_loop_runs_over_http_with_a_return_an_extension_and_a_reopen(api, at):
    with at(2025, 9, 16, 9):
        order = api.register()
        number = order["number"]
        assert order["state"] == "registered" and order["state_label"] == "待派单"

        order = api.act("dispatcher1", number, "dispatch", {"lead_unit": "CGJ"})
        assert order["state"] == "dispatched"
        assert order["lead_unit"] == {"code": "CGJ", "name": order["lead_unit"]["name"]}

    with at(2025, 9, 16, 10):
        order = api.act("cgj_handler", number, "return",
                        {"reason": "油烟噪音属属地街道综合执法范围，请改派街道"})
        assert order["state"] == "return_review" and order["deadlines"]["paused"]

        order = api.act("dispatcher1", number, "review-return",
                        {"approve": True, "lead_unit": "DC01", "note": "同意，改派文昌街道"})
        assert order["state"] == "dispatched" and order["lead_unit"]["code"] == "DC01"

        order = api.act("dc01_handler", number, "sign")
        assert order["state"] == "handling"

        order = api.act("dc01_handler", number, "request-extension",
                        {"amount": 3, "unit": "days", "reason": "需协调物业、商户和环保部门"})
        assert order["flags"]["extension_status"] == "pending"
        due_before = datetime.fromisoformat(order["deadlines"]["due_at"])

        order = api.act("dispatcher1", number, "review-extension",
                        {"approve": True, "note": "同意延期"})
        assert order["state"] == "handling"
        assert order["flags"]["extension_status"] == "approved"
        assert datetime.fromisoformat(order["deadlines"]["due_at"]) > due_before

    with at(2025, 9, 18, 15):
        order = api.act("dc01_handler", number, "reply",
                        {"text": "已约谈商户，限定晚十点前停止营业", "solved": True})
        assert order["state"] == "replied"
        assert order["reply"]["unit"]["code"] == "DC01"

        order = api.act("callback1", number, "callback",
                        {"reached": True, "resolved": "no", "satisfaction": "dissatisfied",
                         "note": "仍有噪音"})
        assert order["state"] == "dissatisfied_review"

        order = api.act("supervisor1", number, "review-dissatisfaction",
                        {"reopen": True, "note": "核实确未解决，重办"})
        assert order["state"] == "dispatched" and order["flags"]["reopen_count"] == 1

        order = api.act("dc01_handler", number, "sign")
        assert order["state"] == "handling"

    with at(2025, 9, 19, 11):
        order = api.act("dc01_handler", number, "reply",
                        {"text": "联合执法，已加装油烟净化设备并限时营业", "solved": True})
        assert order["state"] == "replied"

        order = api.act("callback1", number, "callback",
                        {"reached": True, "resolved": "yes", "satisfaction": "satisfied",
                         "scores": {"attitude": 5, "speed": 4}})

    assert order["state"] == "closed" and order["state_label"] == "已办结"
    assert order["callback"]["first_satisfaction"] == "dissatisfied"
    assert order["callback"]["satisfaction"] == "satisfied"
    assert actions(order) == [
        "register", "dispatch", "return", "review_return", "sign", "request_extension",
        "review_extension", "reply", "callback", "review_dissatisfaction", "sign", "reply",
        "callback",
    ]
    assert [e["seq"] for e in order["timeline"]] == list(range(1, 14))
    first = order["timeline"][0]
    assert first["action_label"] == "登记" and first["actor"] and first["to_state"] == "registered"
    returned = order["timeline"][2]
    assert returned["actor_unit"]["code"] == "CGJ"
    assert returned["from_state_label"] == "待签收" and returned["to_state_label"] == "退单审核中"
    assert {(a["unit"]["code"], a["state"]) for a in order["assignments"]} >= {
        ("CGJ", "cancelled"), ("DC01", "done")}


def test_an_action_the_state_does_not_allow_is_a_409_with_a_chinese_message(api):
    number = api.register()["number"]
    response = api.post("dc01_handler", f"/api/v1/orders/{number}/reply",
                        {"text": "已处理", "solved": True})
    # Not dispatched to DC01 yet: the street cannot even see it.
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    response = api.post("dispatcher1", f"/api/v1/orders/{number}/review-extension",
                        {"approve": True})
    body = response.json()
    assert response.status_code == 409 and body["code"] == "transition_not_allowed"
    assert "不能" in body["message"] and body["details"] == {}


def test_a_role_that_may_not_act_gets_a_403(api):
    number = api.register()["number"]
    response = api.post("agent1", f"/api/v1/orders/{number}/dispatch", {"lead_unit": "DC01"})
    assert response.status_code == 403 and response.json()["code"] == "role_not_allowed"


def test_sub_dispatch_answers_with_the_parent_and_names_the_new_sub_order(api):
    number = api.register()["number"]
    api.act("dispatcher1", number, "dispatch", {"lead_unit": "DC01"})
    api.act("dc01_handler", number, "sign")
    response = api.post("dc01_handler", f"/api/v1/orders/{number}/sub-dispatch",
                        {"unit": "DC0101", "note": "请社区上门核实"})
    assert response.status_code == 200, response.content.decode()
    assert response["Minhu-Created-Order"] == f"{number}-1"
    assert response.json()["children"] == [f"{number}-1"]
    child = api.get("dc01_handler", f"/api/v1/orders/{number}-1").json()
    assert child["parent"] == number and child["lead_unit"]["code"] == "DC0101"


# --- Idempotent intake -----------------------------------------------------------------


def test_the_same_idempotency_key_returns_the_same_order_with_a_replay_header(api):
    first = api.post("agent1", "/api/v1/orders", COMPLAINT, HTTP_IDEMPOTENCY_KEY="call-7781")
    again = api.post("agent1", "/api/v1/orders", COMPLAINT, HTTP_IDEMPOTENCY_KEY="call-7781")
    assert first.status_code == 201 and not first.has_header("Idempotent-Replay")
    assert again.status_code == 200 and again["Idempotent-Replay"] == "true"
    assert again.json()["number"] == first.json()["number"]
    other = api.post("agent1", "/api/v1/orders", COMPLAINT, HTTP_IDEMPOTENCY_KEY="call-7782")
    assert other.status_code == 201 and other.json()["number"] != first.json()["number"]


def test_reusing_an_idempotency_key_for_a_different_request_is_refused(api):
    api.post("agent1", "/api/v1/orders", COMPLAINT, HTTP_IDEMPOTENCY_KEY="call-9001")
    changed = {**COMPLAINT, "content": "另一件事：小区路灯不亮"}
    again = api.post("agent1", "/api/v1/orders", changed, HTTP_IDEMPOTENCY_KEY="call-9001")
    assert again.status_code == 422
    assert again.json()["code"] == "idempotency_key_reused" and "幂等键" in again.json()["message"]


def test_the_same_channel_and_external_id_returns_the_same_order(api):
    body = {**COMPLAINT, "channel": "wechat", "external_id": "WX-20250916-0001"}
    first = api.register(**body)
    again = api.post("dispatcher1", "/api/v1/orders", body)
    assert again.status_code == 200 and again["Idempotent-Replay"] == "true"
    assert again.json()["number"] == first["number"]
    assert first["external_refs"] == [{"channel": "wechat", "external_id": "WX-20250916-0001"}]
    other_channel = api.register(**{**body, "channel": "web"})
    assert other_channel["number"] != first["number"]


def test_a_consultation_can_be_registered_and_answered_in_one_call(api):
    order = api.register(request_type="consult", content="居住证办理需要哪些材料？",
                         answer="携带身份证和租房合同到社区服务中心办理")
    assert order["state"] == "closed" and actions(order) == ["register", "answer_directly"]


# --- Lists ------------------------------------------------------------------------------


@pytest.fixture
def some_orders(api):
    """Four orders: two complaints dispatched to DC01 (one supervised), a report to DC01,
    and a registered suggestion nobody has dispatched."""
    a = api.register(content="文昌路路灯不亮已经一周", category="CG01")["number"]
    b = api.register(content="小区门口垃圾堆放无人清运", citizen_phone="13900001111")["number"]
    c = api.register(content="有人在河道偷排污水", request_type="report",
                     citizen_name="李明", citizen_phone="13700002222")["number"]
    d = api.register(content="建议在公园增设健身器材", request_type="suggestion",
                     community="DC0201")["number"]
    for n in (a, b, c):
        api.act("dispatcher1", n, "dispatch", {"lead_unit": "DC01"})
    api.act("supervisor1", b, "supervise", {"reason": "群众反映强烈"})
    return {"a": a, "b": b, "c": c, "d": d}


def numbers(response) -> list[str]:
    assert response.status_code == 200, response.content.decode()
    return [o["number"] for o in response.json()["items"]]


def test_lists_filter_by_state_type_category_area_flags_and_text(api, some_orders):
    o = some_orders
    everything = {o["a"], o["b"], o["c"], o["d"]}
    assert everything <= set(numbers(api.get("agent1", "/api/v1/orders", limit=200)))

    def find(**params):
        return set(numbers(api.get("agent1", "/api/v1/orders", limit=200, **params))) \
            & everything

    assert find(state="registered") == {o["d"]}
    assert find(state="dispatched,registered") == everything
    assert find(request_type="report") == {o["c"]}
    assert find(category="CG") >= {o["a"]}  # the first-level code matches its children
    assert find(category="CG01") >= {o["a"]}
    assert find(community="DC0201") == {o["d"]}
    assert find(district="DC") == everything
    assert find(lead_unit="DC01") == {o["a"], o["b"], o["c"]}
    assert find(is_supervised="true") == {o["b"]}
    assert find(is_supervised="false", state="dispatched") == {o["a"], o["c"]}
    assert find(q="路灯") == {o["a"]}
    assert find(channel="phone") == everything
    assert find(created_from="2000-01-01T00:00:00", created_to="2100-01-01") == everything
    assert find(created_to="2001-01-01T00:00:00+08:00") == set()


def test_lists_page_with_limit_and_offset_and_report_the_count(api, some_orders):
    first = api.get("agent1", "/api/v1/orders", limit=2, ordering="created_at").json()
    assert first["count"] >= 4 and len(first["items"]) == 2
    assert first["limit"] == 2 and first["offset"] == 0 and first["next_offset"] == 2
    second = api.get("agent1", "/api/v1/orders", limit=2, offset=2,
                     ordering="created_at").json()
    seen = [o["number"] for o in first["items"] + second["items"]]
    assert len(set(seen)) == 4
    assert seen == sorted(seen)  # numbers follow registration order
    newest = api.get("agent1", "/api/v1/orders", limit=1).json()["items"][0]["number"]
    assert newest == some_orders["d"]
    last = api.get("agent1", "/api/v1/orders", limit=200, offset=first["count"]).json()
    assert last["items"] == [] and last["next_offset"] is None
    by_due = numbers(api.get("agent1", "/api/v1/orders", ordering="due_at", limit=200))
    assert by_due.index(some_orders["a"]) < by_due.index(some_orders["d"])  # no due: last


def test_lists_show_only_what_the_caller_may_see_and_always_mask_the_citizen(
        api, some_orders):
    mine = set(numbers(api.get("dc01_handler", "/api/v1/orders", limit=200)))
    assert {some_orders["a"], some_orders["b"], some_orders["c"]} <= mine
    assert some_orders["d"] not in mine
    assert not set(numbers(api.get("dc02_handler", "/api/v1/orders", limit=200))) & mine
    items = {o["number"]: o for o in api.get("agent1", "/api/v1/orders",
                                             limit=200).json()["items"]}
    assert items[some_orders["b"]]["citizen"]["phone"] == "139****1111"
    assert items[some_orders["a"]]["citizen"]["name"] == "张**"
    report = {o["number"]: o for o in api.get("dc01_handler", "/api/v1/orders",
                                              limit=200).json()["items"]}[some_orders["c"]]
    assert report["citizen"]["name"] == "（保密）" and report["citizen"]["phone"] == ""


def test_searching_by_phone_is_for_the_centre_desks_only(api, some_orders):
    found = numbers(api.get("agent1", "/api/v1/orders", phone="13900001111"))
    assert found == [some_orders["b"]]
    refused = api.get("dc01_handler", "/api/v1/orders", phone="13900001111")
    assert refused.status_code == 403 and refused.json()["code"] == "pii_forbidden"


def test_list_filters_with_unknown_values_are_refused_in_chinese(api):
    response = api.get("agent1", "/api/v1/orders", state="handling,lost")
    assert response.status_code == 422 and "state" in response.json()["message"]
    response = api.get("agent1", "/api/v1/orders", limit=0)
    body = response.json()
    assert response.status_code == 422 and body["code"] == "validation_failed"
    assert "字段 limit 超出范围" in body["message"]
    response = api.get("agent1", "/api/v1/orders", ordering="citizen_phone")
    assert response.status_code == 422 and "ordering" in response.json()["message"]


# --- Detail, masking, revealing, visibility ------------------------------------------------


def test_the_detail_masks_the_phone_for_a_unit(api):
    number = api.register()["number"]
    api.act("dispatcher1", number, "dispatch", {"lead_unit": "DC01"})
    detail = api.get("dc01_handler", f"/api/v1/orders/{number}").json()
    assert detail["citizen"]["phone"] == "138****5678" and detail["citizen"]["masked"]
    assert detail["citizen"]["name"] == "张**"
    assert detail["district"]["code"] == "DC" and detail["community"]["code"] == "DC0101"
    assert detail["request_type"] == {"code": "complaint", "name": "投诉"}
    assert detail["urgency"]["code"] == "normal"
    assert detail["category"]["code"] == "CG01" and detail["category"]["parent"]["code"] == "CG"
    assert detail["assignments"][0]["role"] == "lead"
    assert detail["assignments"][0]["role_label"] == "主办"
    assert detail["assignments"][0]["state_label"] == "待签收"
    assert detail["deadlines"]["due_at"] and not detail["deadlines"]["paused"]


def test_a_confidential_report_hides_the_reporter_from_the_unit(api):
    number = api.register(request_type="report", content="某企业夜间偷排污水",
                          is_enterprise=True, enterprise_name="云州某化工厂")["number"]
    api.act("dispatcher1", number, "dispatch", {"lead_unit": "DC01"})
    detail = api.get("dc01_handler", f"/api/v1/orders/{number}").json()
    assert detail["citizen"]["name"] == "（保密）" and detail["citizen"]["phone"] == ""
    assert detail["citizen"]["confidential"] and detail["citizen"]["enterprise_name"] == ""
    refused = api.get("dc01_handler", f"/api/v1/orders/{number}", reveal=1)
    assert refused.status_code == 403 and refused.json()["code"] == "pii_forbidden"
    centre = api.get("agent1", f"/api/v1/orders/{number}").json()
    assert centre["citizen"]["name"] == "张**" and centre["citizen"]["confidential"]


def test_revealing_the_citizen_returns_the_phone_and_writes_an_audit_entry(api):
    number = api.register()["number"]
    api.act("dispatcher1", number, "dispatch", {"lead_unit": "DC01"})
    assert not AuditEntry.objects.filter(object_id=number).exists()
    detail = api.get("dc01_handler", f"/api/v1/orders/{number}", reveal=1).json()
    assert detail["citizen"] == {**detail["citizen"], "name": "张晓梅",
                                 "phone": "13812345678", "masked": False}
    entry = AuditEntry.objects.get(object_id=number)
    assert entry.action == "view_pii" and entry.via == "api"
    assert entry.actor.username == "dc01_handler" and entry.ip == "127.0.0.1"


def test_a_unit_cannot_see_or_act_on_an_order_dispatched_to_another_unit(api):
    number = api.register()["number"]
    api.act("dispatcher1", number, "dispatch", {"lead_unit": "DC01"})
    seen = api.get("dc02_handler", f"/api/v1/orders/{number}")
    assert seen.status_code == 404 and seen.json()["code"] == "not_found"
    signed = api.post("dc02_handler", f"/api/v1/orders/{number}/sign")
    assert signed.status_code == 404 and signed.json() == seen.json()
    missing = api.get("dc02_handler", "/api/v1/orders/YZ19990101000001")
    assert missing.json() == seen.json()  # "not yours" and "missing" look the same


# --- Auth ------------------------------------------------------------------------------------


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer mh_wrong", "Token abc",
                                    "Basic YWdlbnQxOnB3"])
def test_without_a_valid_token_or_session_the_api_answers_401(city, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    for response in (Client().get("/api/v1/orders", **extra),
                     Client().post("/api/v1/orders", {}, content_type="application/json",
                                   **extra)):
        assert response.status_code == 401
        assert response.json() == {"code": "unauthenticated",
                                   "message": "请先登录或提供有效的 API 令牌", "details": {}}


def test_a_revoked_token_or_an_inactive_account_no_longer_works(api, city):
    assert api.get("agent1", "/api/v1/me").status_code == 200
    ApiToken.objects.filter(user__username="agent1").update(revoked_at=timezone.now())
    assert api.get("agent1", "/api/v1/me").status_code == 401
    assert api.get("dispatcher1", "/api/v1/me").status_code == 200
    User.objects.filter(username="dispatcher1").update(is_active=False)
    assert api.get("dispatcher1", "/api/v1/me").status_code == 401


def test_token_use_is_stamped_at_most_once_a_minute(api, at):
    with at(2025, 9, 16, 9, 0, 0):
        api.get("agent1", "/api/v1/me")
    token = ApiToken.objects.get(user__username="agent1")
    first = token.last_used_at
    assert first is not None
    with at(2025, 9, 16, 9, 0, 30):
        api.get("agent1", "/api/v1/me")
    token.refresh_from_db()
    assert token.last_used_at == first
    with at(2025, 9, 16, 9, 1, 30):
        api.get("agent1", "/api/v1/me")
    token.refresh_from_db()
    assert token.last_used_at > first


def test_people_use_their_session_and_must_send_the_csrf_token_to_change_things(city):
    client = Client(enforce_csrf_checks=True)
    client.force_login(city.agent)
    me = client.get("/api/v1/me")
    assert me.status_code == 200 and me.json()["auth"] == "session"
    refused = client.post("/api/v1/orders", COMPLAINT, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "csrf_failed"
    secret = "a" * 32
    client.cookies["csrftoken"] = secret
    created = client.post("/api/v1/orders", COMPLAINT, content_type="application/json",
                          HTTP_X_CSRFTOKEN=secret)
    assert created.status_code == 201, created.content.decode()


def test_every_operation_maps_to_a_rule_of_the_transition_table():
    from minhu.orders.api import rule_of

    assert all(rule_of(name) is not None for name in OPERATIONS)


def test_me_tells_who_is_calling_and_what_they_may_do(api):
    me = api.get("dc01_handler", "/api/v1/me").json()
    assert me["username"] == "dc01_handler" and me["auth"] == "token"
    assert me["unit"]["code"] == "DC01" and me["unit"]["kind"] == "street"
    assert [r["code"] for r in me["roles"]] == ["unit_handler"]
    assert "sign" in me["operations"] and "dispatch" not in me["operations"]
    assert "dispatch" in api.get("dispatcher1", "/api/v1/me").json()["operations"]


def test_units_and_reference_data_serve_the_pickers(api):
    streets = api.get("agent1", "/api/v1/units", kind="street", parent="DC").json()
    assert "DC01" in [u["code"] for u in streets]
    assert all(u["kind"] == "street" and u["parent"] == "DC" for u in streets)
    found = api.get("agent1", "/api/v1/units", q="城市管理").json()
    assert "CGJ" in [u["code"] for u in found]
    assert api.get("agent1", "/api/v1/units", kind="planet").status_code == 422
    ref = api.get("agent1", "/api/v1/reference").json()
    assert [t["code"] for t in ref["request_types"]] == [
        "consult", "help", "complaint", "report", "suggestion", "praise"]
    cg = next(c for c in ref["categories"] if c["code"] == "CG")
    assert "CG01" in [c["code"] for c in cg["children"]]
    assert [t["code"] for t in ref["urgency_tiers"]] == ["urgent", "pressing", "normal",
                                                         "complex"]
    assert {d["code"] for d in ref["callback_dimensions"]} >= {"attitude", "speed"}
    assert {"code": "handling", "label": "办理中"} in ref["states"]
    assert [o["name"] for o in ref["operations"]] == list(OPERATIONS)


# --- Tokens, OpenAPI, unknown routes -------------------------------------------------------


def test_issue_token_prints_a_working_key_once(city):
    out = io.StringIO()
    call_command("issue-token", "callback1", "--name", "回访外呼系统", stdout=out)
    key = next(line for line in out.getvalue().splitlines() if re.fullmatch(r"mh_\S{40,}", line))
    assert "只显示这一次" in out.getvalue()
    token = ApiToken.objects.get(user__username="callback1", name="回访外呼系统")
    assert ApiToken.objects.authenticate(key) == token
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}").json()[
        "username"] == "callback1"


def test_issue_token_refuses_an_unknown_account(city):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="不存在"):
        call_command("issue-token", "nobody", "--name", "x")


def test_the_openapi_document_lists_a_typed_path_for_every_operation(city):
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    assert doc["info"]["title"] == "民呼 Minhu API"
    ids = set()
    for name, op in OPERATIONS.items():
        post = doc["paths"][f"/api/v1/orders/{{number}}/{name}"]["post"]
        assert post["summary"] == op.summary
        ids.add(post["operationId"])
        schema_ref = post["requestBody"]["content"]["application/json"]["schema"]
        assert op.schema.__name__ in str(schema_ref)
    assert len(ids) == len(OPERATIONS)
    for path in ("/api/v1/orders", "/api/v1/orders/{number}", "/api/v1/me",
                 "/api/v1/units", "/api/v1/reference"):
        assert path in doc["paths"]
    assert Client().get("/api/docs").status_code == 200


def test_a_bug_answers_500_internal_error_in_json_and_logs_the_traceback(api, monkeypatch,
                                                                         caplog):
    def broken(user, filters):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr("minhu.orders.api.filter_orders", broken)
    with caplog.at_level("ERROR", logger="minhu.api"):
        response = api.get("agent1", "/api/v1/orders")
    assert response.status_code == 500
    assert response.json()["code"] == "internal_error" and "服务器内部错误" in response.json()[
        "message"]
    assert "simulated bug" not in response.content.decode()
    assert any("simulated bug" in (r.exc_text or "") or r.exc_info for r in caplog.records)


def test_unknown_routes_and_methods_under_the_api_answer_in_json(api):
    for path in ("/api/v2/orders", "/api/v1/orders/X/fly", "/api/v1/nothing/here/"):
        response = api.get("agent1", path)
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    response = api.client.delete("/api/v1/orders", **api._auth("agent1"))
    assert response.status_code == 405 and response.json()["code"] == "method_not_allowed"
    assert api.get("agent1", "/api/").json()["v1"] == "/api/v1/"
