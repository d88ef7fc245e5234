"""No input makes the API answer 500: every bad request gets a 4xx JSON body with a stable
code and a Chinese message, and odd-but-valid text is stored and returned verbatim."""

import json
import re

import pytest
from django.conf import settings
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from minhu.accounts.models import ApiToken, User
from minhu.orders.models import WorkOrder
from minhu.orders.operations import OPERATIONS, RegisterIn

CHINESE = re.compile(r"[\u4e00-\u9fff]")
VALID = {
    "content": "文昌路与和平街交叉口路灯不亮已有一周",
    "request_type": "complaint",
    "category": "CG01",
    "community": "DC0101",
    "citizen_name": "王芳",
    "citizen_phone": "13612345678",
}


class Api:
    def __init__(self):
        self.client = Client()
        self.keys: dict[str, str] = {}

    def headers(self, username: str, **extra) -> dict:
        if username not in self.keys:
            _, self.keys[username] = ApiToken.objects.issue(
                User.objects.get(username=username), "测试")
        return {"HTTP_AUTHORIZATION": f"Bearer {self.keys[username]}", **extra}

    def raw(self, username, path, data: bytes | str, content_type="application/json",
            **extra):
        return self.client.generic("POST", path, data, content_type=content_type,
                                   **self.headers(username, **extra))

    def post(self, username, path, body, **extra):
        return self.raw(username, path, json.dumps(body, ensure_ascii=False).encode(),
                        **extra)

    def get(self, username, path, **params):
        return self.client.get(path, params, **self.headers(username))


@pytest.fixture
def api(city) -> Api:
    return Api()


def handling_order(api) -> str:
    """An order dispatched to DC01 and signed there: most actions apply to it."""
    number = api.post("agent1", "/api/v1/orders", VALID).json()["number"]
    assert api.post("dispatcher1", f"/api/v1/orders/{number}/dispatch",
                    {"lead_unit": "DC01"}).status_code == 200
    assert api.post("dc01_handler", f"/api/v1/orders/{number}/sign", {}).status_code == 200
    return number


@pytest.fixture
def order(api) -> str:
    return handling_order(api)


def refused(response, status=None, code=None, mentions=None) -> dict:
    """A 4xx JSON error with a code and a Chinese message."""
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    if status is not None:
        assert response.status_code == status, response.content.decode()[:500]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] and CHINESE.search(body["message"]), body
    if code is not None:
        assert body["code"] == code, body
    if mentions is not None:
        assert mentions in body["message"], body
    return body


# --- Bodies that are not what we asked for ---------------------------------------------


def test_an_empty_body_is_refused(api):
    refused(api.raw("agent1", "/api/v1/orders", b""), 422, "validation_failed", "请求体不能为空")


@pytest.mark.parametrize("data", [b"content=hello", b"{'content': 'x'}", b'{"content": ',
                                  b"\xff\xfe\x00", b"[" * 100_000 + b"]" * 100_000,
                                  b'{"content": "x", "lat": NaN}',
                                  b'{"content": "x", "lat": Infinity}',
                                  b'{"content": "x", "lat": 1e999}',
                                  b'{"place_id": ' + b"9" * 5000 + b"}"])
def test_a_body_that_is_not_json_is_a_400_bad_json(api, data):
    refused(api.raw("agent1", "/api/v1/orders", data), 400, "bad_json")


def test_gbk_bytes_labelled_as_json_are_a_400_bad_json(api):
    data = json.dumps({"content": "路灯不亮"}, ensure_ascii=False).encode("gbk")
    body = refused(api.raw("agent1", "/api/v1/orders", data,
                           content_type="application/json; charset=gbk"), 400, "bad_json")
    assert "UTF-8" in body["message"]


@pytest.mark.parametrize("data", [b"[]", b'[{"content": "x"}]', b'"hello"', b"42", b"null",
                                  b"true"])
def test_json_that_is_not_an_object_is_refused(api, data):
    refused(api.raw("agent1", "/api/v1/orders", data), 422, "validation_failed", "JSON 对象")
    refused(api.raw("dc01_handler", "/api/v1/orders/YZ1/sign", data), 422)


def test_a_body_over_the_upload_limit_is_a_413(api):
    size = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1024
    data = json.dumps({"content": "噪" * (size // 3)}, ensure_ascii=False).encode()
    refused(api.raw("agent1", "/api/v1/orders", data), 413, "payload_too_large")


# --- Wrong types and sizes, named per field in Chinese ------------------------------------


@pytest.mark.parametrize(("change", "mentions"), [
    ({"content": ""}, "字段 content 不能为空"),
    ({"content": None}, "字段 content 必须是字符串"),
    ({"content": 123}, "字段 content 必须是字符串"),
    ({"content": "噪" * 350_000}, "字段 content 过长"),  # about 1 MB
    ({"lat": "abc"}, "字段 lat 必须是数字"),
    ({"lat": 91}, "字段 lat 超出范围"),
    ({"lng": -181.5}, "字段 lng 超出范围"),
    ({"is_anonymous": "maybe"}, "字段 is_anonymous 必须是布尔值"),
    ({"place_id": 0}, "字段 place_id 超出范围"),
    ({"place_id": 10**30}, "字段 place_id 超出范围"),
    ({"place_id": 1.5}, "字段 place_id 必须是整数"),
    ({"external_id": "x" * 101}, "字段 external_id 过长"),
    ({"citizen_phone": ["138"]}, "字段 citizen_phone 必须是字符串"),
    ({"external_due_at": "next tuesday"}, "字段 external_due_at 必须是 ISO 8601 时间"),
    ({"external_due_at": "0001-01-01T00:00:00+14:00"}, "字段 external_due_at 超出范围"),
    ({"external_due_at": "9999-12-31T23:59:59"}, "字段 external_due_at 超出范围"),
])
def test_wrong_types_and_sizes_are_refused_naming_the_field(api, change, mentions):
    body = refused(api.post("agent1", "/api/v1/orders", {**VALID, **change}), 422,
                   "validation_failed", mentions)
    if "errors" in body["details"]:
        assert body["details"]["errors"][0]["type"]  # the raw errors ride along


def test_several_bad_fields_are_all_named(api):
    body = refused(api.post("agent1", "/api/v1/orders", {"content": 123, "lat": "abc",
                                                         "lng": 500}), 422)
    for field in ("content", "lat", "lng"):
        assert f"字段 {field}" in body["message"]
    assert {e["field"] for e in body["details"]["errors"]} == {"content", "lat", "lng"}


@pytest.mark.parametrize(("operation", "payload", "mentions"), [
    ("review-return", {"approve": "maybe"}, "字段 approve 必须是布尔值"),
    ("review-extension", {}, "字段 approve 为必填项"),
    ("request-extension", {"amount": 0, "unit": "days", "reason": "x"}, "字段 amount 超出范围"),
    ("request-extension", {"amount": 1, "unit": "weeks", "reason": "x"}, "字段 unit 的取值须为"),
    ("dispatch", {"lead_unit": "DC01", "co_units": ["X"] * 11}, "字段 co_units 最多 10 项"),
    ("dispatch", {"lead_unit": "DC01", "co_units": "CGJ"}, "字段 co_units 必须是数组"),
    ("callback", {"reached": True, "scores": {"speed": "fast"}}, "字段 scores.speed 必须是整数"),
    ("reply", {"text": "已处理"}, "字段 solved 为必填项"),
    ("sub-dispatch", {"unit": "DC0101", "note": "x", "due_at": "soon"}, "字段 due_at"),
])
def test_action_bodies_are_typed_per_operation(api, order, operation, payload, mentions):
    refused(api.post("dispatcher1", f"/api/v1/orders/{order}/{operation}", payload), 422,
            "validation_failed", mentions)


def test_an_action_without_a_body_when_one_is_required_is_refused(api, order):
    refused(api.raw("dc01_handler", f"/api/v1/orders/{order}/reply", b""), 422,
            "validation_failed", "请求体不能为空")


# --- Unknown codes -------------------------------------------------------------------------


@pytest.mark.parametrize(("change", "code"), [
    ({"request_type": "rumour"}, "unknown_requesttype"),
    ({"category": "ZZ99"}, "unknown_category"),
    ({"urgency": "whenever"}, "unknown_urgencytier"),
    ({"community": "MARS01"}, "unknown_area"),
    ({"channel": "pigeon"}, "unknown_channel"),
    ({"place_id": 987654321}, "unknown_place"),
    ({"citizen_phone": "call me"}, "bad_phone"),
])
def test_unknown_reference_codes_at_intake_are_refused(api, change, code):
    refused(api.post("agent1", "/api/v1/orders", {**VALID, **change}), 422, code)


@pytest.mark.parametrize(("username", "operation", "payload", "code"), [
    ("dispatcher1", "reassign", {"lead_unit": "NOWHERE", "reason": "改派"}, "unknown_unit"),
    ("dispatcher1", "reassign", {"lead_unit": "DC02", "co_units": ["NOPE"], "reason": "改派"},
     "unknown_unit"),
    ("dispatcher1", "merge", {"master": "YZ00000000000000"}, "bad_master"),
    ("dc01_handler", "sub-dispatch", {"unit": "ATLANTIS", "note": "下派"}, "unknown_unit"),
    ("dc01_handler", "sub-dispatch", {"unit": "DC0101", "note": "下派",
                                      "due_at": "2020-01-01T00:00:00"}, "bad_due"),
])
def test_unknown_units_and_orders_in_actions_are_refused(api, order, username, operation,
                                                         payload, code):
    refused(api.post(username, f"/api/v1/orders/{order}/{operation}", payload), code=code)


def test_an_unknown_callback_dimension_is_refused(api, order):
    reply = {"text": "已修复", "solved": True}
    assert api.post("dc01_handler", f"/api/v1/orders/{order}/reply", reply).status_code == 200
    refused(api.post("callback1", f"/api/v1/orders/{order}/callback",
                     {"reached": True, "resolved": "yes", "satisfaction": "satisfied",
                      "scores": {"charm": 5}}), 422, "unknown_dimension")
    refused(api.post("callback1", f"/api/v1/orders/{order}/callback",
                     {"reached": True, "resolved": "yes", "satisfaction": "satisfied",
                      "scores": {"speed": 9}}), 422, "bad_score")


# --- Odd but valid text is kept verbatim -------------------------------------------------------


@pytest.mark.parametrize("content", [
    "😀🙏🏻🚧🔥" * 200 + "路灯坏了👩‍👩‍👧‍👦",
    "<script>alert('x')</script><img src=x onerror=alert(1)> 路灯",
    "'; DROP TABLE orders_workorder; -- 路灯",
    "{{ 7*7 }} ${7*7} %s %(x)s \\u0000 路灯",
    "第一行\r\n第二行\t制表\u200b零宽\u202e反向",
])
def test_odd_text_is_stored_and_returned_verbatim_as_a_json_string(api, content):
    response = api.post("agent1", "/api/v1/orders", {**VALID, "content": content})
    assert response.status_code == 201, response.content.decode()[:300]
    assert response["Content-Type"].startswith("application/json")
    number = response.json()["number"]
    assert response.json()["content"] == content
    assert WorkOrder.objects.get(number=number).content == content
    assert api.get("agent1", f"/api/v1/orders/{number}").json()["content"] == content


@pytest.mark.parametrize("data", [
    '{"content": "路灯\\u0000不亮"}',
    '{"content": "路灯\\ud800不亮"}',
    '{"content": "路灯", "title": "\\udfff"}',
    '{"content": "路灯", "\\u0000": 1}',
])
def test_nul_characters_and_lone_surrogates_are_refused(api, data):
    refused(api.raw("agent1", "/api/v1/orders", data.encode()), 422, "bad_characters")


# --- Headers, paths and query strings -----------------------------------------------------------


def test_an_overlong_or_broken_idempotency_key_is_refused(api):
    refused(api.post("agent1", "/api/v1/orders", VALID, HTTP_IDEMPOTENCY_KEY="k" * 101), 422,
            "validation_failed", "Idempotency-Key")
    refused(api.post("agent1", "/api/v1/orders", VALID, HTTP_IDEMPOTENCY_KEY="a\x00b"), 422)


@pytest.mark.parametrize("number", ["Y" * 10_000, "..", "../..", "..%2F..%2Fetc%2Fpasswd",
                                    "%00", "YZ%00", "%F0%9F%98%80", "%E4%B8%AD", "%ff%fe"])
def test_strange_order_numbers_in_the_path_are_a_plain_404(api, order, number):
    refused(api.get("agent1", f"/api/v1/orders/{number}"), 404, "not_found")
    refused(api.post("dc01_handler", f"/api/v1/orders/{number}/sign", {}), 404, "not_found")


@pytest.mark.parametrize(("params", "mentions"), [
    ({"limit": "abc"}, "字段 limit 必须是整数"),
    ({"limit": 201}, "字段 limit 超出范围"),
    ({"offset": -1}, "字段 offset 超出范围"),
    ({"offset": 10**30}, "字段 offset"),
    ({"q": "路" * 101}, "字段 q 过长"),
    ({"q": "路\x00灯"}, "q"),
    ({"state": "\x00"}, "state"),
    ({"is_overdue": "perhaps"}, "字段 is_overdue 必须是布尔值"),
    ({"created_from": "yesterday"}, "字段 created_from 必须是 ISO 8601 时间"),
    ({"created_to": "0001-01-01T00:00:00+14:00"}, "字段 created_to 超出范围"),
    ({"channel": "pigeon"}, "channel"),
])
def test_bad_list_parameters_are_refused_naming_the_parameter(api, params, mentions):
    refused(api.get("agent1", "/api/v1/orders", **params), 422, mentions=mentions)


def test_a_bad_reveal_flag_and_odd_unit_queries_are_refused_or_harmless(api, order):
    refused(api.get("agent1", f"/api/v1/orders/{order}", reveal="please"), 422,
            mentions="reveal")
    refused(api.get("agent1", "/api/v1/units", limit=0), 422)
    refused(api.get("agent1", "/api/v1/units", q="\x00"), 422)
    assert api.get("agent1", "/api/v1/units", q="%_'\"").status_code == 200


def test_a_very_long_authorization_header_is_just_unauthenticated(city):
    response = Client().get("/api/v1/orders", HTTP_AUTHORIZATION="Bearer " + "x" * 20_000)
    refused(response, 401, "unauthenticated")


# --- Random bodies ---------------------------------------------------------------------------

json_leaf = (st.none() | st.booleans() | st.integers()
             | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=40))
json_value = st.recursive(
    json_leaf,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=4),
    max_leaves=12,
)
# Values that pass the schema and reach the domain rules, mixed with arbitrary JSON.
PLAUSIBLE = {
    "request_type": st.sampled_from(["consult", "complaint", "report", "praise", "x"]),
    "category": st.sampled_from(["CG", "CG01", "ZZ", ""]),
    "community": st.sampled_from(["DC0101", "DC01", "DC", "CGJ", ""]),
    "channel": st.sampled_from(["phone", "web", "wechat", "sub_dispatch", "open311"]),
    "urgency": st.sampled_from(["urgent", "normal", "complex", "never"]),
    "lead_unit": st.sampled_from(["DC01", "DC02", "CGJ", "YZ12345", "DC-FZX", "NOPE"]),
    "unit": st.sampled_from(["DC0101", "DC01", "DC", "CGJ", "hours", "days", "workdays"]),
    "units": st.lists(st.sampled_from(["CGJ", "DC-CGJ", "DC0101", "NOPE"]), max_size=3),
    "co_units": st.lists(st.sampled_from(["CGJ", "DC02", "DC01", "NOPE"]), max_size=3),
    "satisfaction": st.sampled_from(["satisfied", "basic", "dissatisfied", ""]),
    "resolved": st.sampled_from(["yes", "partly", "no", ""]),
    "amount": st.integers(min_value=-2, max_value=80),
    "scores": st.dictionaries(st.sampled_from(["attitude", "speed", "charm"]),
                              st.integers(min_value=0, max_value=6), max_size=3),
    "external_due_at": st.sampled_from(["2025-10-01T12:00:00", "2025-10-01T12:00:00+08:00",
                                        "1999-01-01", "9999-12-31T00:00:00Z"]),
    "due_at": st.sampled_from(["2020-01-01T00:00:00", "2099-01-01T00:00:00+08:00", "x"]),
}
# A body per operation that the schema accepts; the fuzzer then changes some of it.
TEMPLATES = {
    "answer": {"answer": "已电话答复"},
    "forward": {"sub_centre": "DC-FZX"},
    "dispatch": {"lead_unit": "DC01"},
    "reassign": {"lead_unit": "DC02", "reason": "属地不符，改派"},
    "sign": {},
    "return": {"reason": "不属于本单位职责范围"},
    "report-up": {"reason": "本级无法解决，请上级协调"},
    "review-return": {"approve": True, "lead_unit": "DC01"},
    "sub-dispatch": {"unit": "DC0101", "note": "请社区核实"},
    "summon": {"units": ["CGJ"], "note": "需城管到场"},
    "report-in": {},
    "request-extension": {"amount": 2, "unit": "days", "reason": "需协调多方"},
    "review-extension": {"approve": True},
    "reply": {"text": "已处理完毕", "solved": True},
    "callback": {"reached": True, "resolved": "yes", "satisfaction": "satisfied"},
    "review-dissatisfaction": {"reopen": True, "note": "重办"},
    "urge": {"kind": "phone"},
    "supervise": {"reason": "群众反映强烈"},
    "escalate": {"unit": "DC", "note": "提级"},
    "merge": {"master": "YZ00000000000000"},
    "mark-unreasonable": {"reason": "恶意重复诉求"},
    "review-unreasonable": {"approve": True},
    "withdraw": {"reason": "市民撤回"},
    "reopen": {"reason": "仍未解决"},
}
PEOPLE = ["agent1", "dispatcher1", "dc01_handler", "dc0101_handler", "supervisor1",
          "callback1", "dc02_handler", "cgj_handler", "dc_dispatcher"]
# Who would normally call each operation on an order dispatched to DC01.
ACTOR = {
    "answer": "agent1", "forward": "dispatcher1", "dispatch": "dispatcher1",
    "reassign": "dispatcher1", "sign": "dc01_handler", "return": "dc01_handler",
    "report-up": "dc01_handler", "review-return": "dispatcher1", "sub-dispatch": "dc01_handler",
    "summon": "dc01_handler", "report-in": "cgj_handler", "request-extension": "dc01_handler",
    "review-extension": "dispatcher1", "reply": "dc01_handler", "callback": "callback1",
    "review-dissatisfaction": "supervisor1", "urge": "supervisor1", "supervise": "supervisor1",
    "escalate": "supervisor1", "merge": "dispatcher1", "mark-unreasonable": "agent1",
    "review-unreasonable": "supervisor1", "withdraw": "agent1", "reopen": "agent1",
}


def changes(field_names):
    """Up to a few fields set to a plausible or an arbitrary value (or unknown keys)."""
    keys = st.sampled_from(sorted(field_names)) | st.text(max_size=12)

    @st.composite
    def build(draw):
        body = {}
        for key in draw(st.lists(keys, max_size=4)):
            plausible = PLAUSIBLE.get(key)
            body[key] = draw(st.one_of(plausible, plausible, json_value)
                             if plausible is not None else json_value)
        return body

    return build()


def assert_no_5xx(response) -> None:
    assert response.status_code < 500, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    if response.status_code >= 400:
        assert body["code"] and CHINESE.search(body["message"]), body
    else:
        assert body["number"]


RANDOM = hsettings(max_examples=50, deadline=None,
                   suppress_health_check=[HealthCheck.function_scoped_fixture,
                                          HealthCheck.too_slow])


@RANDOM
@given(body=st.builds(lambda change: {**VALID, **change}, changes(RegisterIn.model_fields))
       | changes(RegisterIn.model_fields) | json_value)
def test_random_json_posted_to_the_intake_never_causes_a_500(api, body):
    assert_no_5xx(api.post("agent1", "/api/v1/orders", body))


@RANDOM
@given(steps=st.lists(st.tuples(st.sampled_from(sorted(OPERATIONS)),
                                st.none() | st.sampled_from(PEOPLE), st.booleans(), st.data()),
                      min_size=1, max_size=8))
def test_random_json_posted_to_random_operations_never_causes_a_500(api, steps):
    order = handling_order(api)  # a fresh order per example, so each run starts alike
    for operation, username, keep, data in steps:
        body = data.draw(changes(OPERATIONS[operation].schema.model_fields))
        if keep:
            body = {**TEMPLATES[operation], **body}
        assert_no_5xx(api.post(username or ACTOR[operation],
                               f"/api/v1/orders/{order}/{operation}", body))


def test_every_operation_has_a_fuzzing_template_its_schema_accepts():
    assert set(TEMPLATES) == set(OPERATIONS)
    for name, op in OPERATIONS.items():
        op.schema(**TEMPLATES[name])
