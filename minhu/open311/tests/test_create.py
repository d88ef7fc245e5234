"""POST requests: a form-encoded service request becomes an order of the open311 channel,
stored raw first, idempotent, and every bad input answered in the spec's error format."""

from urllib.parse import urlencode
from xml.etree import ElementTree as ET

import pytest

from minhu.intake.models import RawIntake
from minhu.orders.models import WorkOrder

from .conftest import errors_of

POTHOLE = {"service_code": "SZ06", "description": "人民路口人行道地砖松动，老人差点摔倒",
           "lat": "30.2500", "long": "120.1500", "address_string": "人民路 88 号门口"}


def order_of(number: str) -> WorkOrder:
    return WorkOrder.objects.select_related("registered_by", "category").get(number=number)


def test_a_client_registers_a_request_as_its_own_service_account(open311, schemas):
    response = open311.post(**POTHOLE, first_name="芳", last_name="王", phone="13900001111",
                            email="wangfang@example.com", account_id="u-42")
    assert response.status_code == 200
    answer = response.json()
    schemas.validate(answer[0], "RequestResponse")
    order = order_of(answer[0]["service_request_id"])
    assert order.channel == "open311" and order.state == "registered"
    assert order.category.code == "SZ06" and order.request_type.code == "help"
    assert (order.citizen_name, order.citizen_phone) == ("王芳", "13900001111")
    assert order.registered_by.display_name == "Open311：随手拍"
    assert answer[0]["account_id"] == "u-42"
    assert answer[0]["service_notice"].startswith(f"已受理，工单编号 {order.number}")
    assert list(order.events.values_list("action", "actor__username")) == [
        ("register", order.registered_by.username)]
    raw = RawIntake.objects.get(order=order)
    assert raw.channel == "open311" and raw.status == "registered"
    assert "wangfang%40example.com" in raw.body  # the payload exactly as it came


def test_the_answer_in_xml_uses_the_specs_element_names(open311):
    response = open311.post("xml", **POTHOLE)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/xml")
    root = ET.fromstring(response.content)
    assert root.tag == "service_requests"
    number = root.findtext("request/service_request_id")
    assert WorkOrder.objects.filter(number=number, channel="open311").exists()
    assert root.findtext("request/token") and root.findtext("request/service_notice")


def test_attributes_set_the_request_type_and_urgency_and_join_the_description(open311):
    number = open311.create(**{"attribute[request_type]": "complaint",
                               "attribute[urgency]": "pressing",
                               "attribute[observed_at]": "2025-09-30T07:15:00+08:00",
                               "attribute[affected_count]": "40",
                               "media_url": "https://img.example.com/p/1.jpg"})
    order = order_of(number)
    assert (order.request_type.code, order.urgency.code) == ("complaint", "pressing")
    assert order.content.splitlines()[1:] == [
        "发现时间：2025-09-30 07:15", "受影响人数/户数：40", "图片：https://img.example.com/p/1.jpg"]


def test_a_report_attribute_makes_the_order_confidential(open311):
    number = open311.create(**{"attribute[request_type]": "report"})
    assert order_of(number).is_confidential


def test_a_point_near_a_known_place_resolves_the_jurisdiction(open311):
    from minhu.org.models import Place

    place = Place.objects.filter(lat__isnull=False, grid__isnull=False).order_by("pk").first()
    number = open311.create(lat=str(place.lat + 0.0001), long=str(place.lng),
                            address_string="")
    order = order_of(number)
    assert order.community_id == place.community_id and order.grid_id == place.grid_id
    assert order.address == ""


def test_an_address_id_is_one_of_our_places(open311):
    from minhu.org.models import Place

    place = Place.objects.filter(parent__isnull=True).order_by("pk").first()
    number = open311.create(lat="", long="", address_string="", address_id=str(place.pk))
    order = order_of(number)
    assert order.place_id == place.pk and order.community_id == place.community_id


def test_an_address_naming_a_known_compound_finds_its_community(open311):
    from minhu.org.models import Place

    place = Place.objects.filter(parent__isnull=True, kind="compound").order_by("pk").first()
    number = open311.create(lat="", long="", address_string=f"{place.name}东门外")
    assert order_of(number).community_id == place.community_id


def test_an_anonymous_request_is_registered_anonymous(open311):
    assert order_of(open311.create()).is_anonymous


# --- Refusals ---------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["", "mh_not-a-key", "x" * 500])
def test_a_bad_api_key_is_403_and_nothing_is_stored(open311, key):
    before = RawIntake.objects.count()
    response = open311.post(key=key, **POTHOLE)
    assert response.status_code == 403
    assert errors_of(response) == [{"code": 403,
                                    "description": "api_key 无效、已吊销或无 Open311 权限"}]
    assert RawIntake.objects.count() == before


def test_a_staff_api_token_is_not_an_open311_key(open311, city):
    from minhu.accounts.models import ApiToken

    _, staff_key = ApiToken.objects.issue(city.agent, "工作台", ["api"])
    assert open311.post(key=staff_key, **POTHOLE).status_code == 403


def test_a_revoked_key_is_refused(open311):
    from minhu.accounts.models import ApiToken
    from minhu.core import clock

    ApiToken.objects.filter(name="Open311 随手拍").update(revoked_at=clock.now())
    assert open311.post(**POTHOLE).status_code == 403


@pytest.mark.parametrize("fields, status, text", [
    ({"service_code": ""}, 400, "缺少必填字段 service_code"),
    ({"service_code": "XX99"}, 404, "服务代码“XX99”不存在"),
    ({"service_code": "CG"}, 404, "服务代码“CG”不存在"),  # a group is not a service
    ({"description": "   "}, 400, "缺少必填字段 description"),
    ({"lat": "", "long": "", "address_string": ""}, 400, "请提供位置"),
    ({"long": ""}, 400, "lat 和 long 须同时提供"),
    ({"lat": "91"}, 400, "lat 超出范围"),
    ({"long": "-181"}, 400, "long 超出范围"),
    ({"lat": "北纬30度"}, 400, "lat 必须是数字"),
    ({"lat": "nan"}, 400, "lat 超出范围"),
    ({"address_id": "999999999"}, 400, "address_id“999999999”不存在"),
    ({"address_id": "abc"}, 400, "address_id“abc”不存在"),
    ({"email": "not-an-address"}, 400, "email 格式不正确"),
    ({"phone": "138-call-me"}, 400, "联系电话格式不正确"),
    ({"media_url": "javascript:alert(1)"}, 400, "media_url 必须是 http 或 https 链接"),
    ({"attribute[urgency]": "asap"}, 400, "attribute[urgency] 的取值“asap”无效"),
    ({"attribute[observed_at]": "昨天晚上"}, 400, "attribute[observed_at] 不是有效的 W3C 时间"),
    ({"attribute[affected_count]": "-3"}, 400, "attribute[affected_count] 须为"),
    ({"description": "x" * 4001}, 400, "description 过长（最多 4000 个字符）"),
    ({"description": "井盖\x07丢了"}, 400, "description 含有不允许的控制字符"),
    ({"jurisdiction_id": "shanghai"}, 404, "jurisdiction_id“shanghai”不存在"),
])
def test_bad_fields_are_refused_in_the_specs_format_and_kept_as_rejected(
        open311, fields, status, text):
    response = open311.post(**{**POTHOLE, **fields})
    assert response.status_code == status, response.content.decode()
    [err] = errors_of(response)
    assert err["code"] == status and err["description"].startswith(text), err
    raw = RawIntake.objects.filter(channel="open311").latest("pk")
    assert raw.status == "rejected" and raw.error_message == err["description"]
    assert raw.order_id is None


def test_an_xml_client_gets_its_errors_in_xml(open311):
    response = open311.post("xml", **{**POTHOLE, "lat": "200"})
    assert response.status_code == 400
    root = ET.fromstring(response.content)
    assert root.tag == "errors" and root.findtext("error/code") == "400"
    assert root.findtext("error/description") == "lat 超出范围（-90 到 90）"


def test_an_oversized_body_is_413_and_not_stored(open311):
    before = RawIntake.objects.count()
    response = open311.post(**{**POTHOLE, "description": "噪" * 40_000})
    assert response.status_code == 413
    assert errors_of(response)[0]["description"] == "请求体过大（最多 64 KB）"
    assert RawIntake.objects.count() == before


def test_a_gbk_encoded_body_is_refused_but_kept_for_inspection(open311):
    body = urlencode({"api_key": open311.key, **POTHOLE}, encoding="gbk").encode("ascii")
    response = open311.post_raw(body)
    assert response.status_code == 400
    assert "不是有效的 UTF-8 编码" in errors_of(response)[0]["description"]
    raw = RawIntake.objects.filter(channel="open311").latest("pk")
    assert raw.status == "rejected" and raw.error_code == "bad_encoding"
    assert raw.body_escaped is False and "%C8%CB%C3%F1" in raw.body  # 人民 in GBK, as sent


def test_raw_gbk_bytes_are_refused_too(open311):
    body = f"api_key={open311.key}&service_code=SZ06&lat=30.25&long=120.15&description="
    response = open311.post_raw(body.encode() + "井盖丢了".encode("gbk"))
    assert response.status_code == 400
    raw = RawIntake.objects.filter(channel="open311").latest("pk")
    assert raw.body_escaped and raw.status == "rejected"


def test_a_json_body_is_not_a_form(open311):
    response = open311.post_raw(b'{"service_code": "SZ06"}', content_type="application/json")
    assert response.status_code == 415
    assert "application/x-www-form-urlencoded" in errors_of(response)[0]["description"]


def test_an_empty_body_is_an_unauthenticated_request(open311):
    response = open311.post_raw(b"")
    assert response.status_code == 403


def test_emoji_survive_the_round_trip(open311):
    text = "🚧🚧 路灯坏了三天了 😡💡🌃 " * 20
    number = open311.create(description=text)
    assert order_of(number).content == text.strip()
    got = open311.get_json(f"requests/{number}.json")[0]
    assert got["description"] == text.strip()


def test_a_script_tag_is_stored_as_text_and_escaped_in_xml(open311):
    text = "<script>alert('x')</script> 垃圾桶满了 & 没人清"
    number = open311.create(description=text)
    assert order_of(number).content == text
    assert open311.get_json(f"requests/{number}.json")[0]["description"] == text
    response = open311.get(f"requests/{number}.xml")
    assert b"<script>" not in response.content and b"&lt;script&gt;" in response.content
    assert ET.fromstring(response.content).findtext("request/description") == text


# --- Idempotency ------------------------------------------------------------------------


def test_the_same_request_sent_twice_in_a_row_makes_one_order(open311, at):
    with at(2025, 9, 30, 10):
        first = open311.post(**POTHOLE).json()[0]
    with at(2025, 9, 30, 10, 3):
        again = open311.post(**POTHOLE).json()[0]
    assert again["service_request_id"] == first["service_request_id"]
    assert again["token"] != first["token"]
    statuses = list(RawIntake.objects.filter(channel="open311").order_by("pk")
                    .values_list("status", flat=True))
    assert statuses[-2:] == ["registered", "duplicate"]
    assert WorkOrder.objects.filter(channel="open311").count() == 1


def test_the_same_text_after_the_replay_window_is_a_new_order(open311, at):
    with at(2025, 9, 30, 10):
        first = open311.create()
    with at(2025, 9, 30, 10, 30):
        later = open311.create()
    assert first != later


def test_an_idempotency_key_returns_the_first_order_and_refuses_another_body(open311, at):
    key = {"Idempotency-Key": "app-7781"}
    with at(2025, 9, 30, 10):
        first = open311.post(headers=key, **POTHOLE).json()[0]["service_request_id"]
    with at(2025, 10, 2, 10):  # long after the replay window: the key still holds
        again = open311.post(headers=key, **POTHOLE).json()[0]["service_request_id"]
        other = open311.post(headers=key, **{**POTHOLE, "description": "另一件事：路灯不亮"})
    assert again == first
    assert other.status_code == 409
    assert "幂等键" in errors_of(other)[0]["description"]


# --- A registration that fails is kept and retried --------------------------------------


def test_a_failed_registration_still_answers_with_a_token_that_resolves_after_retry(
        open311, monkeypatch):
    from minhu.intake import actions

    def broken(*args, **kwargs):
        raise RuntimeError("database hiccup")

    with monkeypatch.context() as patch:
        patch.setattr(actions, "do_register", broken)
        response = open311.post(**POTHOLE)
    assert response.status_code == 200
    [answer] = response.json()
    assert "service_request_id" not in answer and "正在生成" in answer["service_notice"]
    pending = open311.get_json(f"tokens/{answer['token']}.json")
    assert pending == [{"token": answer["token"]}]
    raw = RawIntake.objects.get(open311__token=answer["token"])
    assert raw.status == "failed"
    order, created = actions.retry_failed(raw)
    assert created and order.channel == "open311"
    resolved = open311.get_json(f"tokens/{answer['token']}.json")
    assert resolved == [{"service_request_id": order.number, "token": answer["token"]}]


def test_the_key_command_gives_each_client_its_own_account_and_only_the_open311_scope(
        open311_key, city):
    from minhu.accounts.models import ApiToken, Scope

    token = ApiToken.objects.authenticate(open311_key, Scope.OPEN311)
    assert token.scopes == ["open311"] and token.user.username.startswith("open311_")
    assert token.user.has_role("agent") and not token.user.has_usable_password()
    assert ApiToken.objects.authenticate(open311_key, Scope.API) is None


def test_nul_characters_are_refused_at_the_edge_on_every_database(open311):
    assert open311.post(**{**POTHOLE, "description": "井盖\x00丢了"}).status_code == 400
    assert open311.post(**{**POTHOLE, "service_code": "SZ\x0006"}).status_code == 400
    response = open311.post_raw(f"api_key={open311.key}&service_code=SZ06&lat=1&long=1&"
                                "description=a".encode() + b"\x00b")
    assert response.status_code == 400
    assert "空字符" in errors_of(response)[0]["description"]


def test_an_address_id_too_large_for_any_key_is_simply_unknown(open311):
    response = open311.post(**{**POTHOLE, "address_id": "9" * 19})
    assert response.status_code == 400 and "不存在" in errors_of(response)[0]["description"]
