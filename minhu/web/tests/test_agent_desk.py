"""The agent console 话务台: one short form registers a call through the register
operation, helpers answer while the agent types, and no input gives a 500."""

import re
from urllib.parse import quote_from_bytes

import pytest
from django.test import Client

from minhu.orders.models import WorkOrder
from minhu.orders.states import CloseReason, State
from minhu.org.models import Place

CHINESE = re.compile(r"[\u4e00-\u9fff]")
CALL = {
    "citizen_phone": "13900001111",
    "citizen_name": "李建国",
    "address": "锦绣家园5号楼",
    "community": "DC0101",
    "content": "小区门口的路灯坏了一个多星期，晚上出行很不安全",
    "request_type": "complaint",
    "urgency": "normal",
    "category": "",
    "intake_key": "",
    "mode": "register",
}


@pytest.fixture
def agent(city) -> Client:
    client = Client()
    client.force_login(city.agent)
    return client


def post_call(client, htmx=True, **changes) -> object:
    data = {**CALL, **changes}
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post("/agent/register/", data, **headers)


def text(response) -> str:
    return response.content.decode()


# --- Who may use it ------------------------------------------------------------------------


def test_the_console_renders_for_an_agent_with_the_phone_field_focused(agent):
    response = agent.get("/agent/")
    assert response.status_code == 200
    page = text(response)
    assert "来电登记" in page and "同一来电人" in page and "附近在办" in page
    assert re.search(r'<input id="in-phone"[^>]*autofocus', page)
    for name in ("citizen_phone", "address", "content", "request_type", "urgency", "category"):
        assert f'name="{name}"' in page


def test_a_unit_handler_is_refused_the_console_in_plain_chinese(city):
    client = Client()
    client.force_login(city.street_handler)
    response = client.get("/agent/")
    assert response.status_code == 403
    assert "话务台仅供话务员使用" in text(response)
    assert client.get("/agent/places/", {"address": "锦绣"}).status_code == 403
    assert post_call(client).status_code == 403
    assert not WorkOrder.objects.filter(citizen_phone=CALL["citizen_phone"]).exists()


def test_someone_not_logged_in_is_sent_to_the_login_page(city):
    response = Client().get("/agent/")
    assert response.status_code == 302 and "/login/" in response["Location"]


# --- Registering -------------------------------------------------------------------------


def test_registering_through_the_console_creates_an_order_with_its_timeline(city, agent):
    response = post_call(agent)
    assert response.status_code == 200
    order = WorkOrder.objects.get(citizen_phone=CALL["citizen_phone"])
    assert order.state == State.REGISTERED and order.channel == "phone"
    assert order.community.code == "DC0101" and order.street.code == "DC01"
    assert order.registered_by == city.agent
    events = list(order.events.order_by("seq").values_list("action", "actor__username"))
    assert events == [("register", "agent1")]
    page = text(response)
    # The new number is shown prominently with a link, and the form is blank again.
    assert f'href="/orders/{order.number}/"' in page and "done-number" in page
    assert CALL["content"] not in page.split("my-recent")[0]
    assert re.search(r'<input id="in-phone"[^>]*value=""[^>]*autofocus', page)
    # The "registered today" panel is refreshed out of band.
    assert 'id="my-recent" hx-swap-oob="true"' in page and order.number in page


def test_a_chosen_place_gives_the_jurisdiction(city, agent):
    place = Place.objects.get(name="锦绣家园")
    post_call(agent, place_id=str(place.pk), community="", address="锦绣家园 2单元")
    order = WorkOrder.objects.get(citizen_phone=CALL["citizen_phone"])
    assert order.place_id == place.pk and order.community.code == "DC0101"
    assert order.address == "锦绣家园 2单元"


def test_submitting_the_same_form_twice_registers_one_order(agent):
    key = "0f3c2a7e9b8d4c61a2b3c4d5e6f70812"
    first = post_call(agent, intake_key=key)
    second = post_call(agent, intake_key=key)
    assert WorkOrder.objects.filter(citizen_phone=CALL["citizen_phone"]).count() == 1
    assert "已登记，请告知来电人工单编号" in text(first)
    assert "重复提交" in text(second)


def test_without_htmx_the_console_page_is_rendered_with_the_result(agent):
    response = post_call(agent, htmx=False)
    assert response.status_code == 200
    order = WorkOrder.objects.get(citizen_phone=CALL["citizen_phone"])
    assert order.number in text(response) and "<html" in text(response)


def test_a_consultation_answered_directly_is_closed_in_one_step(city, agent):
    response = post_call(agent, request_type="consult", mode="answer",
                         content="请问新生儿医保怎么办理？",
                         answer="可在出生后三个月内持户口本到街道社保窗口办理，或在线上办理。")
    order = WorkOrder.objects.get(citizen_phone=CALL["citizen_phone"])
    assert order.state == State.CLOSED and order.close_reason == CloseReason.DIRECT
    assert order.reply_text.startswith("可在出生后三个月内")
    assert [e.action for e in order.events.order_by("seq")] == ["register", "answer_directly"]
    assert "已直接答复办结" in text(response)


def test_the_answer_box_is_ignored_when_the_agent_only_registers(agent):
    post_call(agent, request_type="consult", answer="草稿", mode="register")
    order = WorkOrder.objects.get(citizen_phone=CALL["citizen_phone"])
    assert order.state == State.REGISTERED and order.reply_text == ""


def test_a_complaint_cannot_be_answered_directly_and_nothing_is_registered(agent):
    response = post_call(agent, request_type="complaint", mode="answer", answer="已知悉")
    assert "不能直接答复" in text(response)
    assert not WorkOrder.objects.filter(citizen_phone=CALL["citizen_phone"]).exists()


def test_answering_directly_needs_an_answer(agent):
    response = post_call(agent, request_type="consult", mode="answer", answer="  ")
    assert "请填写答复内容" in text(response)
    assert not WorkOrder.objects.filter(citizen_phone=CALL["citizen_phone"]).exists()


# --- Bad input: a Chinese message in place, the values kept, never a 500 -------------------


@pytest.mark.parametrize(("changes", "message", "field_id"), [
    ({"content": ""}, "请填写诉求内容", "err-content"),
    ({"content": "   \n  "}, "请填写诉求内容", "err-content"),
    ({"content": "路" * 5001}, "诉求内容过长（最多 5000 字）", "err-content"),
    ({"citizen_phone": "138abc"}, "联系电话格式不正确", "err-phone"),
    ({"citizen_phone": "1" * 25}, "来电号码过长", "err-phone"),
    ({"content": "路灯\x00不亮"}, "诉求内容含有无法识别的字符", "err-content"),
])
def test_bad_input_is_refused_with_a_chinese_message_next_to_the_field(agent, changes, message,
                                                                       field_id):
    response = post_call(agent, **changes)
    assert response.status_code == 200
    page = text(response)
    assert message in page and f'id="{field_id}"' in page
    assert not WorkOrder.objects.filter(citizen_phone=CALL["citizen_phone"]).exists()


@pytest.mark.parametrize("changes", [
    {"place_id": "abc"}, {"place_id": "99999999"}, {"place_id": "-1"},
    {"request_type": "pigeon"}, {"urgency": "whenever"}, {"category": "ZZ99"},
    {"community": "NOWHERE"}, {"citizen_name": "名" * 65}, {"address": "址" * 201},
    {"community": "DC\x000101"}, {"category": "CG\x0001"},
    {"is_enterprise": "1", "enterprise_name": "企" * 101},
])
def test_odd_values_give_a_chinese_message_and_no_order(agent, changes):
    for htmx in (True, False):
        response = post_call(agent, htmx=htmx, **changes)
        assert response.status_code == (200 if htmx else 422)
        errors = re.findall(r'class="(?:field-error|flash error)"[^>]*>([^<]+)<', text(response))
        assert errors and CHINESE.search(errors[0]), text(response)[:2000]
    assert not WorkOrder.objects.filter(citizen_phone=CALL["citizen_phone"]).exists()


def test_script_in_the_content_is_shown_escaped_when_the_form_comes_back(agent):
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    response = post_call(agent, content=evil, citizen_phone="12ab", citizen_name=evil)
    page = text(response)
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_script_in_an_earlier_order_is_escaped_in_the_caller_panel(agent):
    post_call(agent, content="<script>alert(1)</script>路灯坏了")
    page = text(agent.get("/agent/caller/", {"citizen_phone": CALL["citizen_phone"]}))
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page


def test_gbk_bytes_in_the_form_give_a_chinese_message_not_garbage_or_a_500(agent):
    body = "&".join(f"{k}={quote_from_bytes(str(v).encode())}" for k, v in CALL.items()
                    if k != "content")
    body += "&content=" + quote_from_bytes("路灯坏了一个星期".encode("gbk"))
    response = agent.post("/agent/register/", body,
                          content_type="application/x-www-form-urlencoded",
                          HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "诉求内容含有无法识别的字符（可能是编码错误）" in text(response)
    assert not WorkOrder.objects.filter(citizen_phone=CALL["citizen_phone"]).exists()


def test_the_helpers_shrug_off_odd_queries(agent):
    for path, params in [
        ("/agent/places/", {"address": "\x00"}), ("/agent/places/", {"address": "%_'\""}),
        ("/agent/places/", {"address": "锦" * 500}),
        ("/agent/caller/", {"citizen_phone": "x" * 99}),
        ("/agent/caller/", {"citizen_phone": "\x00"}), ("/agent/related/", {"place_id": "9" * 40}),
        ("/agent/related/", {"community": "\x00"}), ("/agent/categories/", {"category_q": "\x00"}),
        ("/agent/categories/", {"content": "\ufffd" * 10}),
    ]:
        assert agent.get(path, params).status_code == 200, (path, params)


# --- Helpers that answer while the agent types ---------------------------------------------


def test_the_caller_history_lists_earlier_orders_for_the_number_with_names_masked(
        city, new_order, agent):
    first = new_order(citizen_phone="13700002222", citizen_name="赵敏")
    from minhu.orders.actions import do_answer_directly

    earlier = new_order(citizen_phone="13700002222", citizen_name="赵敏", request_type="consult",
                        content="请问公积金提取需要什么材料")
    do_answer_directly(earlier, city.agent, "携带身份证和购房合同到公积金中心办理")
    new_order(citizen_phone="13700003333")  # somebody else
    page = text(agent.get("/agent/caller/", {"citizen_phone": "13700002222"}))
    assert first.number in page and earlier.number in page
    assert "共 <b>2</b> 件" in page and "在办 <b class=\"warn\">1</b>" in page
    assert "该来电人有在办工单" in page
    assert "赵*" in page and "赵敏" not in page
    assert "13700002222" in page  # the number typed is shown
    assert "答复：携带身份证" in page
    assert "13700003333" not in page


def test_a_number_with_no_history_or_too_short_says_so(agent):
    assert "首次来电" in text(agent.get("/agent/caller/", {"citizen_phone": "13811110000"}))
    assert "输入来电号码后" in text(agent.get("/agent/caller/", {"citizen_phone": "138"}))


def test_address_autocomplete_finds_a_compound_by_name_and_shows_its_area(agent):
    page = text(agent.get("/agent/places/", {"address": "锦绣家园"}))
    place = Place.objects.get(name="锦绣家园")
    first = re.search(r'<li role="option"[^>]*data-fill-place_id="(\d+)"', page)
    assert first and int(first.group(1)) == place.pk  # the compound before its buildings
    assert "东城区 / 文昌街道 / 翠苑社区" in page


def test_address_autocomplete_finds_a_compound_by_alias(agent):
    place = Place.objects.get(name="锦绣家园")
    assert "锦绣家园小区" in place.aliases
    page = text(agent.get("/agent/places/", {"address": "锦绣家园小区"}))
    assert f'data-fill-place_id="{place.pk}"' in page


def test_address_autocomplete_finds_a_building_and_a_community(agent):
    page = text(agent.get("/agent/places/", {"address": "锦绣家园 3号楼"}))
    assert 'data-label="锦绣家园3号楼"' in page
    page = text(agent.get("/agent/places/", {"address": "翠苑社区"}))
    assert 'data-fill-community="DC0101"' in page


def test_category_search_matches_keywords_and_suggests_from_the_content(agent):
    page = text(agent.get("/agent/categories/", {"category_q": "噪声"}))
    assert 'data-fill-category="CG01"' in page
    page = text(agent.get("/agent/categories/",
                          {"category_q": "", "content": "楼下烧烤店油烟太大，晚上还很吵"}))
    assert "按诉求内容推荐" in page and 'role="option"' in page


def test_related_open_orders_nearby_flag_the_same_compound_and_the_same_caller(
        city, new_order, agent):
    place = Place.objects.get(name="锦绣家园")
    here = new_order(place_id=place.pk, community=None, citizen_phone="13600004444")
    elsewhere = new_order(community="DC0101", citizen_phone="13600005555")
    closed = new_order(request_type="consult", community="DC0101")
    from minhu.orders.actions import do_answer_directly

    do_answer_directly(closed, city.agent, "已答复")
    other_community = new_order(community="DC0102")
    page = text(agent.get("/agent/related/", {"place_id": place.pk,
                                              "citizen_phone": "13600004444"}))
    assert here.number in page and elsewhere.number in page
    assert closed.number not in page and other_community.number not in page
    assert page.index(here.number) < page.index(elsewhere.number)
    assert "同一小区" in page and "同一来电人" in page


def test_the_console_and_its_helpers_make_a_bounded_number_of_queries(
        city, new_order, agent, django_assert_max_num_queries):
    for i in range(12):
        new_order(citizen_phone="13500006666", content=f"第{i}次反映路灯不亮")
    with django_assert_max_num_queries(14):
        agent.get("/agent/")
    with django_assert_max_num_queries(10):
        agent.get("/agent/caller/", {"citizen_phone": "13500006666"})
    with django_assert_max_num_queries(10):
        agent.get("/agent/related/", {"community": "DC0101"})
    with django_assert_max_num_queries(8):
        agent.get("/agent/places/", {"address": "锦绣"})


def test_sub_orders_are_not_counted_again_in_the_caller_history(city, dispatched_order, agent):
    from minhu.orders import actions as a

    order = dispatched_order(citizen_phone="13400007777")
    a.do_sign(order, city.street_handler)
    a.do_sub_dispatch(order, city.street_handler, city.unit("DC0101").pk, "请社区上门核实")
    assert WorkOrder.objects.filter(citizen_phone="13400007777").count() == 2
    page = text(agent.get("/agent/caller/", {"citizen_phone": "13400007777"}))
    assert "共 <b>1</b> 件" in page and f"{order.number}-" not in page


def test_a_nul_character_in_any_form_is_refused_in_chinese_not_a_crash(city, dispatched_order):
    from django.test import Client

    order = dispatched_order()
    client = Client()
    client.force_login(city.street_handler)
    response = client.post(f"/orders/{order.number}/do/sign/", {"note": "a\x00b"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "不允许的字符" in response.content.decode()
    order.refresh_from_db()
    assert order.state == "dispatched"
