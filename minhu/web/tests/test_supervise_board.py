"""The supervisor board 督办 through the web client: overdue by unit, a unit's list, urging,
listing for supervision, escalation, the unreasonable-request queue and bad input; and the
configuration admin (org tree, staff, responsibility list) that goes with these desks."""

import pytest
from django.test import Client
from django.urls import reverse

from minhu.orders import actions as a
from minhu.orders.models import Urging

BOARD = "/supervise/"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def act(client, order, operation, **data):
    return client.post(reverse("web:act", args=[order.number, operation]), data,
                       headers={"HX-Request": "true"})


@pytest.fixture
def supervisor(city):
    return client_for(city.supervisor)


@pytest.fixture
def late_orders(city, dispatched_order, at):
    """Three orders dispatched on Monday 2 June 2025 (一般: 7 days), two to 文昌街道 (DC01)
    and one to 市城市管理局 (CGJ), and one 较急 order to DC01 dispatched later."""
    with at(2025, 6, 2, 9):
        orders = [dispatched_order(lead="DC01"), dispatched_order(lead="DC01"),
                  dispatched_order(lead="CGJ")]
    with at(2025, 6, 9, 8):
        orders.append(dispatched_order(lead="DC01", urgency="pressing"))
    with at(2025, 6, 9, 12):
        a.sweep_deadlines()
    return orders


def test_the_board_opens_for_a_supervisor_and_not_for_a_dispatcher(city, supervisor):
    assert supervisor.get(BOARD).status_code == 200
    refused = client_for(city.dispatcher).get(BOARD)
    assert refused.status_code == 403 and "您无权进入督办" in refused.text
    assert client_for(city.street_handler).get(
        reverse("web:supervise-unit", args=["DC01"])).status_code == 403


def test_the_board_groups_overdue_and_yellow_orders_by_unit(supervisor, late_orders, at):
    with at(2025, 6, 9, 12):
        page = supervisor.get(BOARD)
    assert page.status_code == 200
    rows = [(r["unit"].code, r["open"], r["yellow"], r["overdue"]) for r in page.context["rows"]]
    assert rows == [("DC01", 3, 0, 2), ("CGJ", 1, 0, 1)]
    assert page.context["rows"][0]["age"] == "3小时"
    assert page.context["totals"]["overdue"] == 3
    charts = page.context["charts"]
    assert charts["units"]["overdue"] == [2, 1]
    assert charts["trend"]["days"][-1] == "06-09" and charts["trend"]["counts"][-1] == 3
    assert "市城市管理局" in page.text and 'id="chart-units"' in page.text


def test_the_board_can_be_narrowed_to_one_district_or_kind(supervisor, late_orders, at):
    with at(2025, 6, 9, 12):
        district = supervisor.get(BOARD, {"district": "DC"}).context["rows"]
        departments = supervisor.get(BOARD, {"kind": "department"}).context["rows"]
    assert [r["unit"].code for r in district] == ["DC01"]
    assert [r["unit"].code for r in departments] == ["CGJ"]


def test_a_units_list_shows_its_late_orders_first(supervisor, late_orders, at):
    with at(2025, 6, 9, 12):
        page = supervisor.get(reverse("web:supervise-unit", args=["DC01"]))
        everything = supervisor.get(reverse("web:supervise-unit", args=["DC01"]),
                                    {"flag": "all"})
    assert [o.number for o in page.context["rows"]] == [o.number for o in late_orders[:2]]
    assert len(everything.context["rows"]) == 3
    assert page.context["panel"]["order"].number == late_orders[0].number


def test_urging_writes_an_urging_row_and_a_timeline_event(city, supervisor, late_orders, at):
    order = late_orders[0]
    with at(2025, 6, 9, 14):
        back = reverse("web:supervise-unit", args=["DC01"]) + f"?o={order.number}"
        response = act(supervisor, order, "urge", kind="interview",
                       note="约谈街道负责人，要求明日办结", next=back)
        assert response.status_code == 204 and response["HX-Redirect"] == back
    urging = Urging.objects.filter(order=order).exclude(kind="system").get()
    assert (urging.kind, urging.by, urging.unit.code) == ("interview", city.supervisor, "DC01")
    event = order.events.order_by("seq").last()
    assert event.action == "urge" and event.data == {"kind": "interview"}
    panel = supervisor.get(reverse("web:supervise-panel", args=[order.number]))
    assert "约谈街道负责人" in panel.text and "约谈" in panel.text
    assert "已超过办理期限，系统自动催办" in panel.text  # the sweep's own urging


def test_listing_for_supervision_shows_on_the_supervised_tab(supervisor, late_orders):
    order = late_orders[2]
    act(supervisor, order, "supervise", reason="超期未办结，挂牌督办")
    order.refresh_from_db()
    assert order.is_supervised
    page = supervisor.get(BOARD, {"tab": "supervised"})
    assert order.number in page.text
    assert "超期未办结，挂牌督办" in supervisor.get(
        reverse("web:supervise-panel", args=[order.number])).text


def test_escalation_hands_the_lead_to_a_higher_unit(city, supervisor, dispatched_order):
    order = dispatched_order(lead="DC0101")
    panel = supervisor.get(reverse("web:supervise-panel", args=[order.number]))
    higher = [u.code for u in panel.context["panel"]["higher"]]
    assert higher[:2] == ["DC01", "DC"]
    response = act(supervisor, order, "escalate", unit="DC01", note="社区无力解决，提级街道")
    assert response.status_code == 204
    order.refresh_from_db()
    assert order.is_escalated and order.lead_unit.code == "DC01"
    assert order.events.order_by("seq").last().action == "escalate"


def test_a_district_bureau_may_be_escalated_to_the_city_department(supervisor,
                                                                   dispatched_order):
    order = dispatched_order(lead="DC-CGJ")
    panel = supervisor.get(reverse("web:supervise-panel", args=[order.number]))
    assert [u.code for u in panel.context["panel"]["higher"]] == ["DC", "CGJ"]


def test_the_unreasonable_request_queue_is_decided_on_the_board(city, supervisor, new_order):
    order = new_order()
    a.do_mark_unreasonable(order, city.agent, "同一诉求一天内重复来电二十次")
    page = supervisor.get(BOARD, {"tab": "unreasonable"})
    assert order.number in page.text and "同一诉求一天内重复来电二十次" in page.text
    assert "王芳" in page.text  # who marked it
    act(supervisor, order, "review-unreasonable", approve="true", note="属实")
    order.refresh_from_db()
    assert order.unreasonable == "approved"
    assert not supervisor.get(BOARD, {"tab": "unreasonable"}).context["page"].object_list


def test_bad_input_gets_a_chinese_message_and_never_a_server_error(supervisor, late_orders):
    order = late_orders[0]
    empty = act(supervisor, order, "supervise", reason="")
    assert empty.status_code == 200 and "理由" in empty.text
    blank = act(supervisor, order, "supervise", reason="   ")
    assert blank.status_code == 200 and "请填写挂牌督办事由" in blank.text
    unknown = act(supervisor, order, "escalate", unit="NOPE", note="提级")
    assert unknown.status_code == 200 and "单位编码“NOPE”不存在" in unknown.text
    lower = act(supervisor, order, "escalate", unit="DC0101", note="提级")
    assert "更高层级" in lower.text
    bad_kind = act(supervisor, order, "urge", kind="shout", note="")
    assert bad_kind.status_code == 200 and "方式" in bad_kind.text
    order.refresh_from_db()
    assert not order.is_supervised and not order.is_escalated


def test_markup_in_a_note_is_kept_as_text_and_shown_escaped(supervisor, late_orders):
    order = late_orders[0]
    note = "<script>alert('x')</script>'; DROP TABLE orders_workorder;--"
    act(supervisor, order, "urge", kind="phone", note=note)
    assert Urging.objects.filter(order=order, kind="phone").get().note == note
    panel = supervisor.get(reverse("web:supervise-panel", args=[order.number]))
    assert "<script>alert" not in panel.text and "&lt;script&gt;" in panel.text


def test_strange_addresses_on_the_board_answer_in_plain_chinese(supervisor):
    for params in ({"tab": "<x>"}, {"district": "'; --"}, {"kind": "<b>"}, {"page": "abc"}):
        assert supervisor.get(BOARD, params).status_code == 200
    missing = supervisor.get(reverse("web:supervise-unit", args=["NOPE"]))
    assert missing.status_code == 404 and "不存在" in missing.text
    panel = supervisor.get(reverse("web:supervise-panel", args=["<script>"]))
    assert panel.status_code == 200 and "<script>" not in panel.text


# --- The configuration admin -----------------------------------------------------------


@pytest.fixture
def admin_site(city):
    return client_for(city.user("admin"))


@pytest.mark.parametrize("name", ["org_unit", "accounts_user", "catalog_responsibility"])
def test_the_configuration_lists_open_for_the_administrator(admin_site, name):
    assert admin_site.get(reverse(f"admin:{name}_changelist")).status_code == 200
    assert admin_site.get(reverse(f"admin:{name}_add")).status_code == 200


def test_the_org_tree_filters_by_district_and_links_to_children_and_staff(city, admin_site):
    url = reverse("admin:org_unit_changelist")
    dc = city.unit("DC")
    page = admin_site.get(url, {"district": dc.pk})
    units = list(page.context["cl"].result_list)
    assert units and all(u.path.startswith(dc.path) for u in units)
    dc01 = city.unit("DC01")
    children = admin_site.get(url, {"parent": dc01.pk})
    assert {u.parent_id for u in children.context["cl"].result_list} == {dc01.pk}
    page = admin_site.get(url, {"q": "DC01"})
    assert f"?parent={dc01.pk}" in page.text and f"?unit={dc01.pk}" in page.text


def test_staff_show_their_roles_and_filter_by_role_and_unit_kind(admin_site):
    url = reverse("admin:accounts_user_changelist")
    page = admin_site.get(url, {"role": "dispatcher"})
    names = {u.username for u in page.context["cl"].result_list}
    assert {"dispatcher1", "dc_dispatcher"} <= names and "agent1" not in names
    assert "派单员" in page.text
    subs = admin_site.get(url, {"unit_kind": "sub_centre"}).context["cl"].result_list
    assert {u.unit.kind for u in subs} == {"sub_centre"}


def test_the_staff_link_of_a_unit_lists_exactly_its_people(city, admin_site):
    dc01 = city.unit("DC01")
    page = admin_site.get(reverse("admin:accounts_user_changelist"), {"unit": dc01.pk})
    people = {u.username for u in page.context["cl"].result_list}
    assert {"dc01_handler", "dc01_leader"} <= people
    assert all(u.unit_id == dc01.pk for u in page.context["cl"].result_list)


def test_a_new_member_of_staff_is_created_with_unit_and_roles(city, admin_site):
    from minhu.accounts.models import User

    response = admin_site.post(reverse("admin:accounts_user_add"), {
        "username": "dc02_newhandler", "display_name": "新同事", "phone": "",
        "unit": city.unit("DC02").pk, "roles": ["unit_handler", "unit_leader"],
        "usable_password": "true", "password1": "Minhu-12345-ok", "password2": "Minhu-12345-ok",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="dc02_newhandler")
    assert user.unit.code == "DC02" and user.roles == {"unit_handler", "unit_leader"}


def test_a_handler_without_a_unit_is_refused_with_a_reason(admin_site):
    response = admin_site.post(reverse("admin:accounts_user_add"), {
        "username": "nobody", "roles": ["unit_handler"], "usable_password": "true",
        "password1": "Minhu-12345-ok", "password2": "Minhu-12345-ok",
    })
    assert response.status_code == 200 and "必须选择所属单位" in response.text


def test_a_responsibility_line_needs_a_lead(city, admin_site):
    from minhu.catalog.models import Category

    response = admin_site.post(reverse("admin:catalog_responsibility_add"), {
        "category": Category.objects.get(code="CG01").pk, "audience": "all", "note": "",
    })
    assert response.status_code == 200 and "二选一" in response.text
    response = admin_site.post(reverse("admin:catalog_responsibility_add"), {
        "category": Category.objects.get(code="CG01").pk, "audience": "all",
        "area": city.unit("DC").pk, "lead_level": "street", "co_levels": ["community"],
        "co_units": [city.unit("HBJ").pk], "note": "东城区由街道主办",
    })
    assert response.status_code == 302
    from minhu.catalog.models import Responsibility

    line = Responsibility.objects.get(note="东城区由街道主办")
    assert line.co_levels == "community" and list(line.co_units.all()) == [city.unit("HBJ")]


def test_the_admin_index_starts_with_what_an_administrator_maintains(admin_site):
    page = admin_site.get(reverse("admin:index"))
    first = page.context["app_list"][0]
    assert first["name"] == "常用配置"
    assert [m["name"] for m in first["models"]] == [
        "组织机构", "工作人员", "诉求分类", "紧急程度与时限", "节假日日历", "权责清单"]


def test_moving_a_unit_in_the_admin_moves_the_units_below_it(city, admin_site):
    from minhu.org.models import Unit

    community = city.unit("DC0101")
    url = reverse("admin:org_unit_change", args=[community.pk])
    assert admin_site.get(url).status_code == 200
    response = admin_site.post(url, {
        "name": community.name, "short_name": community.short_name, "code": community.code,
        "kind": community.kind, "parent": city.unit("DC02").pk, "is_active": "on",
        "contact_phone": community.contact_phone, "lat": "", "lng": "", "serves": "",
    })
    assert response.status_code == 302
    moved = Unit.objects.get(pk=community.pk)
    assert moved.is_within(city.unit("DC02"))
    grids = Unit.objects.filter(parent=community)
    assert grids and all(g.path.startswith(moved.path) for g in grids)
    loop = admin_site.post(reverse("admin:org_unit_change", args=[city.unit("DC02").pk]), {
        "name": "锦绣街道", "code": "DC02", "kind": "street", "parent": community.pk,
        "is_active": "on",
    })
    assert loop.status_code == 200 and "不能是它自己或它的下级单位" in loop.text
