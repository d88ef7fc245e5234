"""GET requests, a single request and tokens: our states mapped to open/closed with notes,
the spec's filters and limits, and what the public may (not) see."""

from xml.etree import ElementTree as ET

import pytest

from minhu.orders import actions as a

from .conftest import errors_of


def one(open311, number, fmt="json"):
    if fmt == "xml":
        return open311.get_xml(f"requests/{number}.xml").find("request")
    [item] = open311.get_json(f"requests/{number}.json")
    return item


def handle_and_reply(order, city, text="已安排维修，地砖已更换"):
    a.do_sign(order, city.street_handler)
    return a.do_reply(order, city.street_handler, text, solved=True, handler_name="刘洋",
                      handler_phone="0571-88001234")


# --- Our states as open/closed --------------------------------------------------------


def _registered(city, new_order, dispatched_order):
    return new_order()


def _forwarded(city, new_order, dispatched_order):
    return a.do_forward(new_order(), city.dispatcher, city.unit("DC-FZX").pk, "东城区事项")


def _dispatched(city, new_order, dispatched_order):
    return dispatched_order()


def _handling(city, new_order, dispatched_order):
    return a.do_sign(dispatched_order(), city.street_handler)


def _return_review(city, new_order, dispatched_order):
    return a.do_return(dispatched_order(), city.street_handler, "该店铺位于相邻街道辖区内")


def _replied(city, new_order, dispatched_order):
    return handle_and_reply(dispatched_order(), city)


def _dissatisfied(city, new_order, dispatched_order):
    return a.do_callback(handle_and_reply(dispatched_order(), city), city.callback_agent,
                         reached=True, resolved="no", satisfaction="dissatisfied")


def _closed_by_callback(city, new_order, dispatched_order):
    return a.do_callback(handle_and_reply(dispatched_order(), city), city.callback_agent,
                         reached=True, resolved="yes", satisfaction="satisfied")


def _answered_directly(city, new_order, dispatched_order):
    order = new_order(request_type="consult", content="居住证办理需要哪些材料？")
    return a.do_answer_directly(order, city.agent, "携带身份证、租房合同到社区服务中心办理")


def _withdrawn(city, new_order, dispatched_order):
    return a.do_withdraw(new_order(), city.agent, "诉求人来电表示问题已自行解决")


def _merged(city, new_order, dispatched_order):
    master = new_order(content="同一家烧烤店油烟扰民")
    order = a.do_merge(new_order(), city.dispatcher, master.number)
    order.master_number = master.number
    return order


@pytest.mark.parametrize("make, status, note", [
    (_registered, "open", "已受理，12345 中心正在确定承办单位"),
    (_forwarded, "open", "已受理，已转东城区12345分中心派单"),
    (_dispatched, "open", "已派至东城区文昌街道办理，待签收"),
    (_handling, "open", "东城区文昌街道已签收，正在办理"),
    (_return_review, "open", "东城区文昌街道申请退回或上报，12345 中心正在审核"),
    (_replied, "open", "东城区文昌街道已答复，12345 中心将回访诉求人核实办理结果"),
    (_dissatisfied, "open", "诉求人对办理结果不满意，12345 中心正在审核是否重办"),
    (_closed_by_callback, "closed", "已办结：东城区文昌街道已答复，经回访确认"),
    (_answered_directly, "closed", "已办结：12345 中心已当场答复"),
    (_withdrawn, "closed", "诉求人已撤回该诉求，工单已关闭"),
    (_merged, "closed", "与工单 {master} 反映同一问题，已并入该工单合并办理"),
])
def test_each_of_our_states_maps_to_open_or_closed_with_a_chinese_note(
        open311, city, new_order, dispatched_order, schemas, make, status, note):
    order = make(city, new_order, dispatched_order)
    item = one(open311, order.number)
    schemas.validate(item, "request.json")
    assert item["status"] == status
    expected = note.format(master=getattr(order, "master_number", ""))
    assert item["status_notes"].startswith(expected), item["status_notes"]
    xml = one(open311, order.number, "xml")
    assert xml.findtext("status") == status and xml.findtext("status_notes") == item[
        "status_notes"]


def test_a_dispatched_request_names_the_lead_unit_and_its_deadline(
        open311, city, dispatched_order, at):
    with at(2025, 9, 30, 10):
        order = dispatched_order(urgency="pressing")
        item = one(open311, order.number)
    assert item["agency_responsible"] == "东城区文昌街道"
    assert item["requested_datetime"] == "2025-09-30T10:00:00+08:00"
    assert item["expected_datetime"] == "2025-10-01T10:00:00+08:00"
    assert item["service_notice"] == "按“较急”诉求办理，办理时限 24 自然小时"
    assert item["service_code"] == "CG01" and item["service_name"] == "噪声扰民"


def test_an_overdue_supervised_order_says_so(open311, city, dispatched_order):
    order = a.do_sign(dispatched_order(), city.street_handler)
    a.do_supervise(order, city.supervisor, "群众反映强烈，挂牌督办")
    type(order).objects.filter(pk=order.pk).update(is_overdue=True)
    assert one(open311, order.number)["status_notes"] == (
        "东城区文昌街道已签收，正在办理（已超过办理期限，12345 中心正在督办）")


def test_a_closed_request_is_updated_when_it_was_closed(open311, city, dispatched_order, at):
    with at(2025, 9, 30, 10):
        order = dispatched_order()
    with at(2025, 10, 2, 15):
        order = a.do_callback(handle_and_reply(order, city), city.callback_agent,
                              reached=True, resolved="yes", satisfaction="satisfied")
    with at(2025, 10, 5, 9):
        item = one(open311, order.number)
    assert item["updated_datetime"] == "2025-10-02T15:00:00+08:00"


def test_an_unknown_request_is_404(open311):
    response = open311.get("requests/YZ000.json")
    assert response.status_code == 404
    assert errors_of(response) == [{"code": 404, "description": "诉求“YZ000”不存在"}]


def test_the_swagger_spelling_of_a_single_request_works_too(open311, new_order):
    order = new_order()
    assert open311.get_json(f"request/{order.number}.json")[0]["service_request_id"] == \
        order.number


def test_sub_orders_are_internal_and_not_published(open311, city, dispatched_order):
    order = a.do_sign(dispatched_order(), city.street_handler)
    child = a.do_sub_dispatch(order, city.street_handler, city.unit("DC0101").pk, "请上门核实")
    assert open311.get("requests/" + child.number + ".json").status_code == 404


# --- What the public may see --------------------------------------------------------


def test_a_phone_callers_name_number_and_words_never_leave(open311, new_order, at):
    with at(2025, 9, 30, 10):
        order = new_order(citizen_name="张晓梅", citizen_phone="13812345678",
                          content="我是张晓梅，楼下烧烤店太吵，电话13812345678")
        bodies = [open311.get(f"requests/{order.number}.{f}").content for f in ("json", "xml")]
        bodies += [open311.get(f"requests.{f}").content for f in ("json", "xml")]
    for body in bodies:
        text = body.decode()
        assert "张晓梅" not in text and "13812345678" not in text and "烧烤" not in text
    item = one(open311, order.number)
    assert item["description"] == "（该诉求经“电话”渠道受理，内容不通过 Open311 公开）"
    assert item["address"].startswith("东城区文昌街道")
    assert item["lat"] is None and item["long"] is None and item["media_url"] is None


def test_an_open311_request_is_published_without_the_submitters_contact(open311, schemas):
    number = open311.create(first_name="芳", last_name="王", phone="13900001111",
                            email="wangfang@example.com",
                            media_url="https://img.example.com/p/9.jpg",
                            description="人行道地砖松动，联系我13900001111或 wf@example.com")
    response = open311.get(f"requests/{number}.json")
    text = response.content.decode()
    for secret in ("王芳", "13900001111", "wangfang@example.com", "wf@example.com"):
        assert secret not in text
    [item] = response.json()
    schemas.validate([item], "requests.json")
    assert item["description"].splitlines() == [
        "人行道地砖松动，联系我［已隐去］或 ［已隐去］", "图片：https://img.example.com/p/9.jpg"]
    assert item["media_url"] == "https://img.example.com/p/9.jpg"
    assert (item["lat"], item["long"]) == (30.25, 120.15)
    assert item["address"] == "人民路 88 号门口"


def test_a_confidential_report_is_listed_but_its_content_is_withheld(open311):
    number = open311.create(**{"attribute[request_type]": "report",
                               "description": "某工地夜间偷排泥浆",
                               "media_url": "https://img.example.com/p/2.jpg"})
    item = one(open311, number)
    assert item["description"] == "（保密诉求，内容不予公开）"
    assert item["lat"] is None and item["media_url"] is None
    assert "偷排" not in open311.get(f"requests/{number}.xml").content.decode()


def test_a_city_may_choose_to_publish_every_description(open311, new_order, settings):
    settings.MINHU_OPEN311_PUBLISH_ALL_DESCRIPTIONS = True
    order = new_order(content="楼下烧烤店太吵，电话13812345678")
    assert one(open311, order.number)["description"] == "楼下烧烤店太吵，电话［已隐去］"


def test_a_reply_is_shown_only_where_the_description_is(open311, city, dispatched_order):
    number = open311.create()
    from minhu.orders.models import WorkOrder

    order = a.do_dispatch(WorkOrder.objects.get(number=number), city.dispatcher,
                          city.unit("DC01").pk)
    order = a.do_callback(handle_and_reply(order, city), city.callback_agent, reached=True,
                          resolved="yes", satisfaction="satisfied")
    assert one(open311, number)["status_notes"].endswith("。答复：已安排维修，地砖已更换")
    phone_order = _closed_by_callback(city, None, dispatched_order)
    assert "答复：" not in one(open311, phone_order.number)["status_notes"]


# --- The list and its filters ------------------------------------------------------------


def test_the_list_validates_and_is_newest_first(open311, new_order, at, schemas):
    with at(2025, 9, 1, 9):
        older = new_order()
    with at(2025, 9, 20, 9):
        newer = new_order(category="SZ01")
    with at(2025, 9, 30, 10):
        items = open311.get_json("requests.json")
        root = open311.get_xml("requests.xml")
    schemas.validate(items, "requests.json")
    assert [i["service_request_id"] for i in items] == [newer.number, older.number]
    assert root.tag == "service_requests"
    assert [r.findtext("service_request_id") for r in root.findall("request")] == [
        newer.number, older.number]
    assert [c.tag for c in root.find("request")] == [
        "service_request_id", "status", "status_notes", "service_name", "service_code",
        "description", "agency_responsible", "service_notice", "requested_datetime",
        "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat",
        "long", "media_url"]


def test_by_default_the_list_covers_the_last_90_days(open311, new_order, at):
    with at(2025, 5, 1, 9):
        old = new_order()
    with at(2025, 9, 1, 9):
        recent = new_order()
    with at(2025, 9, 30, 10):
        numbers = [i["service_request_id"] for i in open311.get_json("requests.json")]
    assert numbers == [recent.number] and old.number not in numbers


def test_start_and_end_date_select_by_requested_time(open311, new_order, at):
    with at(2025, 5, 1, 9):
        may = new_order()
    with at(2025, 6, 15, 9):
        june = new_order()
    items = open311.get_json("requests.json", start_date="2025-04-30T00:00:00Z",
                             end_date="2025-05-02T00:00:00+08:00")
    assert [i["service_request_id"] for i in items] == [may.number]
    items = open311.get_json("requests.json", start_date="2025-06-01")  # + 90 days
    assert [i["service_request_id"] for i in items] == [june.number]


def test_status_and_service_code_filter_the_list(open311, city, new_order, at):
    with at(2025, 9, 1, 9):
        noise = new_order(category="CG01")
        water = new_order(category="SZ01")
        done = _withdrawn(city, new_order, None)
    with at(2025, 9, 30, 10):
        def numbers(**params):
            return {i["service_request_id"] for i in open311.get_json("requests.json", **params)}

        assert numbers(status="open") == {noise.number, water.number}
        assert numbers(status="closed") == {done.number}
        assert numbers(status="open,closed") == {noise.number, water.number, done.number}
        assert numbers(service_code="SZ01") == {water.number}
        assert numbers(service_code="SZ01,CG01", status="open") == {noise.number, water.number}


def test_unclassified_orders_have_their_own_service_code(open311, new_order, at):
    with at(2025, 9, 1, 9):
        order = new_order(category=None)
        items = open311.get_json("requests.json", service_code="UNCLASSIFIED")
    assert [(i["service_request_id"], i["service_name"]) for i in items] == [
        (order.number, "未分类")]


def test_a_list_of_ids_overrides_every_other_filter(open311, city, new_order, at):
    with at(2025, 1, 5, 9):
        first = new_order()
        second = _withdrawn(city, new_order, None)
    items = open311.get_json("requests.json", service_request_id=f"{second.number},nope,"
                                                                 f"{first.number}",
                             status="open", start_date="2026-01-01")
    assert [i["service_request_id"] for i in items] == [second.number, first.number]


def test_at_most_1000_results_are_returned(open311, new_order, at, monkeypatch):
    from minhu.open311 import views

    monkeypatch.setattr(views, "MAX_RESULTS", 2)
    with at(2025, 9, 1, 9):
        made = [new_order().number for _ in range(3)]
        items = open311.get_json("requests.json")
    assert [i["service_request_id"] for i in items] == made[:0:-1]


@pytest.mark.parametrize("params, status, text", [
    ({"start_date": "yesterday"}, 400, "start_date 不是有效的 W3C 时间格式"),
    ({"end_date": "2025-13-01"}, 400, "end_date 不是有效的 W3C 时间格式"),
    ({"start_date": "2025-01-01", "end_date": "2025-12-31"}, 400, "查询时间范围不能超过 90 天"),
    ({"start_date": "2025-05-01", "end_date": "2025-04-01"}, 400, "start_date 不能晚于 end_date"),
    ({"status": "pending"}, 400, "status 只能是 open 或 closed"),
    ({"service_code": "ZZ01"}, 404, "服务代码“ZZ01”不存在"),
    ({"service_request_id": ",".join(["YZ1"] * 201)}, 400, "service_request_id 最多 200 个"),
])
def test_bad_filters_are_refused_in_the_specs_format(open311, params, status, text):
    for fmt in ("json", "xml"):
        response = open311.get(f"requests.{fmt}", **params)
        assert response.status_code == status
        [err] = errors_of(response)
        assert err["code"] == status and err["description"].startswith(text)


def test_a_token_resolves_to_its_request(open311, schemas):
    answer = open311.post(service_code="SZ06", description="井盖缺失", lat="30.25",
                          long="120.15").json()[0]
    resolved = open311.get_json(f"tokens/{answer['token']}.json")
    schemas.validate(resolved[0], "TokenResponse")
    assert resolved == [{"service_request_id": answer["service_request_id"],
                         "token": answer["token"]}]
    root = open311.get_xml(f"tokens/{answer['token']}.xml")
    assert root.tag == "service_requests"
    assert root.findtext("request/service_request_id") == answer["service_request_id"]
    assert open311.get("tokens/nope.json").status_code == 404


def test_every_xml_answer_is_well_formed_even_with_control_characters(open311, new_order,
                                                                      settings):
    settings.MINHU_OPEN311_PUBLISH_ALL_DESCRIPTIONS = True
    order = new_order(content="井盖\x0b丢了\x1f，😡")
    root = ET.fromstring(open311.get(f"requests/{order.number}.xml").content)
    assert root.findtext("request/description") == "井盖丢了，😡"


def test_the_list_costs_the_same_few_queries_however_long_it_is(
        open311, city, dispatched_order, at, django_assert_max_num_queries):
    with at(2025, 9, 1, 9):
        for _ in range(5):
            a.do_sign(dispatched_order(), city.street_handler)
        with django_assert_max_num_queries(7):
            assert len(open311.get_json("requests.json")) == 5


@pytest.mark.parametrize("path, params", [
    ("requests.json", {"service_request_id": "YZ\x001"}),
    ("requests.json", {"service_code": "SZ\x0001"}),
    ("requests.json", {"status": "open\x00"}),
    ("requests/YZ%001.json", {}),
    ("tokens/ab%00c.json", {}),
    ("services/SZ%0001.json", {}),
])
def test_control_characters_in_parameters_are_a_400_not_a_database_error(
        open311, path, params):
    response = open311.get(path, **params)
    assert response.status_code == 400
    assert errors_of(response)[0]["description"] == "参数含有不允许的控制字符"
