"""民呼社应, 社呼街应, 街呼市应: a request from a building's code goes to its community
first; the community solves it, or reports up to the street, which reports up to the city."""

from minhu.intake.models import RawIntake
from minhu.orders.actions import (
    do_reassign,
    do_reply,
    do_report_up,
    do_review_return,
    do_sign,
)
from minhu.orders.models import WorkOrder
from minhu.orders.states import AssignmentState, Channel, CloseReason, State


def _sub_order(order) -> WorkOrder:
    return order.children.get()


def _actions(order) -> list[str]:
    return list(order.events.order_by("seq").values_list("action", flat=True))


def test_scanning_opens_the_form_locked_to_the_building(client, building):
    from minhu.qrcodes.models import code_for

    qr = code_for(building)
    response = client.get(f"/qr/{qr.code.lower()}/")
    assert response["Location"] == f"/m/?qr={qr.code}"
    page = client.get(response["Location"]).content.decode()
    assert str(building) in page and "扫码反映问题，社区先办" in page
    assert 'name="place_id"' not in page  # the place cannot be changed


def test_a_retired_or_unknown_code_says_so(client, building):
    from minhu.qrcodes.models import QrCode, code_for

    qr = code_for(building)
    QrCode.objects.filter(pk=qr.pk).update(is_active=False)
    assert "此二维码已停用" in client.get(f"/qr/{qr.code}/").content.decode()
    assert client.get("/qr/NOSUCH22/").status_code == 404
    assert client.get(f"/m/?qr={qr.code}").status_code == 404


def test_a_code_retired_while_the_form_was_open_keeps_what_was_typed(client, building):
    from minhu.portal.challenge import new_token
    from minhu.qrcodes.models import QrCode, code_for

    qr = code_for(building)
    QrCode.objects.filter(pk=qr.pk).update(is_active=False)
    response = client.post("/m/", {"content": "楼道堆满杂物，存在消防隐患。",
                                   "phone": "13905710002", "qr": qr.code,
                                   "form_token": new_token()})
    page = response.content.decode()
    assert response.status_code == 422 and "此二维码已停用" in page
    assert "楼道堆满杂物" in page and 'name="place_id"' in page


def test_a_qr_request_goes_to_the_buildings_community_first(scan_and_submit, building):
    order = scan_and_submit(place_id="999999")  # a forged place is ignored: the code decides
    assert order.channel == Channel.QR and order.place == building
    assert order.state == State.HANDLING and order.lead_unit.code == "DC01"
    assert _actions(order) == ["register", "dispatch", "sign", "sub_dispatch"]
    sub = _sub_order(order)
    assert sub.lead_unit.code == "DC0101" and sub.state == State.DISPATCHED
    assert RawIntake.objects.get(order=order).source.startswith("qr:")


def test_the_community_solves_it_and_the_citizen_gets_its_reply(
        scan_and_submit, city, django_capture_on_commit_callbacks, client):
    order = scan_and_submit()
    community = city.user("dc0101_handler")
    sub = do_sign(_sub_order(order), community)
    with django_capture_on_commit_callbacks(execute=True):
        do_reply(sub, community, "已更换楼道声控灯，并检查了其他楼层。", solved=True,
                 handler_name="陈晓燕", handler_phone="0571-86001101")
    order.refresh_from_db()
    assert order.state == State.REPLIED
    assert order.reply_text.startswith("已更换楼道声控灯") and order.reply_handler == "陈晓燕"
    assert order.reply_text.endswith("（由翠苑社区办理）")
    assert order.reply_handler_phone == "0571-86001101" and order.reply_unit.code == "DC01"
    assert _actions(order)[-2:] == ["sub_reply", "reply"]

    from minhu.portal.citizen import view

    seen = view(order)
    assert seen["state"] == "已答复" and seen["handler"] == "陈晓燕"
    assert any("社区" in s.text for s in seen["timeline"])


def test_an_unsolved_community_reply_stays_with_the_street(
        scan_and_submit, city, django_capture_on_commit_callbacks):
    order = scan_and_submit()
    community = city.user("dc0101_handler")
    sub = do_sign(_sub_order(order), community)
    with django_capture_on_commit_callbacks(execute=True):
        do_reply(sub, community, "需物业配合更换线路，社区已协调。", solved=False)
    order.refresh_from_db()
    assert order.state == State.HANDLING and _actions(order)[-1] == "sub_reply"


def test_community_reports_up_to_the_street_which_reports_up_to_the_city(
        scan_and_submit, city, django_capture_on_commit_callbacks):
    order = scan_and_submit(content="小区门口道路塌陷一个大坑，雨后积水，需要市政维修。")
    community = city.user("dc0101_handler")
    sub = do_sign(_sub_order(order), community)

    # 社呼街应: the community cannot repair a road; its report ends the sub-order.
    with django_capture_on_commit_callbacks(execute=True):
        do_report_up(sub, community, "道路塌陷需市政维修，超出社区能力")
    sub.refresh_from_db()
    order.refresh_from_db()
    assert sub.state == State.CLOSED and sub.close_reason == CloseReason.REPORTED_UP
    assert order.state == State.HANDLING and _actions(order)[-1] == "sub_reported_up"
    street_assignment = order.assignments.get(unit__code="DC01")
    assert street_assignment.state == AssignmentState.HANDLING

    # 街呼市应: the street's own handler reports it to the 12345 centre.
    order = do_report_up(order, city.street_handler, "道路维修属市政部门职责，请中心协调",
                         suggested_unit=city.unit("CGJ").pk)
    assert order.state == State.RETURN_REVIEW
    order = do_review_return(order, city.dispatcher, approve=True,
                             lead_unit=city.unit("CGJ").pk, note="转城管局市政维修")
    assert order.state == State.DISPATCHED and order.lead_unit.code == "CGJ"
    assert _actions(order)[-3:] == ["sub_reported_up", "report_up", "review_return"]


def test_the_street_can_still_reassign_through_the_centre(scan_and_submit, city):
    order = scan_and_submit()
    order = do_reassign(order, city.dispatcher, city.unit("CGJ").pk, reason="属部门职责")
    assert _sub_order(order).state == State.CLOSED  # the community's sub-order is recalled


def test_a_place_without_a_street_stays_in_the_dispatch_pool(city, new_order):
    from minhu.qrcodes.routing import route_first_to_community

    order = new_order(community=None, address="未知地点")
    assert route_first_to_community(order) is None
    order.refresh_from_db()
    assert order.state == State.REGISTERED
