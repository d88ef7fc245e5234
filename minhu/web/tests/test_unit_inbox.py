"""The unit inbox 承办工作台: tabs by state, deadlines first, and the quick actions a handling
unit takes from it (sign, reply with files, sub-dispatch, report up, extension, return,
report in), each through the operations of ``minhu.orders``."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from minhu.core import clock
from minhu.orders import actions as a
from minhu.orders.models import Assignment, Attachment, ReturnRequest, WorkOrder
from minhu.orders.states import AssignmentState, ReturnKind, State

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + b"0" * 64
HX = {"HTTP_HX_REQUEST": "true"}


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def street(city) -> Client:
    return login(city.street_handler)


@pytest.fixture
def signed_order(city, dispatched_order):
    def make(**fields):
        order = dispatched_order(**fields)
        return a.do_sign(order, city.street_handler)

    return make


def test_the_inbox_lists_red_then_yellow_then_the_nearest_deadline(
        city, dispatched_order, street):
    week = dispatched_order(urgency="normal", content="一般：路灯不亮")
    day = dispatched_order(urgency="pressing", content="较急：井盖缺失")
    late = dispatched_order(urgency="normal", content="已超期：垃圾清运")
    amber = dispatched_order(urgency="complex", content="黄灯：违建拆除")
    # The deadline sweep sets these flags; set them directly for a fixed picture.
    WorkOrder.objects.filter(pk=late.pk).update(is_overdue=True,
                                                due_at=clock.now() - timedelta(hours=1))
    WorkOrder.objects.filter(pk=amber.pk).update(is_yellow=True)

    page = text(street.get("/inbox/"))

    positions = [page.index(f'id="card-{o.number}"') for o in (late, amber, day, week)]
    assert positions == sorted(positions)
    assert 'class="inbox-card tone-red' in page and "超期 1小时" in page
    assert 'class="inbox-card tone-yellow' in page
    assert "剩余" in page  # countdowns on the cards
    # The pending tab shows its count; the other tabs are there too.
    for label in ("待签收", "办理中", "已答复待回访", "退单审核中", "子单"):
        assert label in page
    assert '<b class="count has">4</b>' in page


def test_one_click_sign_moves_the_order_into_handling(city, dispatched_order, street):
    order = dispatched_order()
    page = text(street.get("/inbox/?tab=pending"))
    assert f'hx-post="/orders/{order.number}/do/sign/"' in page

    response = street.post(f"/orders/{order.number}/do/sign/",
                           {"next": "/inbox/?tab=pending"}, **HX)

    assert response.status_code == 204
    assert response["HX-Redirect"] == "/inbox/?tab=pending"
    order.refresh_from_db()
    assert order.state == State.HANDLING
    handling = text(street.get("/inbox/?tab=handling"))
    assert f'id="card-{order.number}"' in handling
    for action in ("reply", "sub-dispatch", "report-up", "request-extension", "return"):
        assert f'data-action="{action}"' in handling


def test_the_reply_form_is_prefilled_with_the_handler_and_accepts_several_files(
        city, signed_order, street, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    order = signed_order()
    handler = city.street_handler
    form = text(street.get(f"/inbox/{order.number}/form/reply/?tab=handling", **HX))
    assert f'value="{handler}"' in form and f'value="{handler.phone}"' in form
    assert 'type="file" name="files" multiple' in form

    response = street.post(f"/inbox/{order.number}/reply/", {
        "text": "已约谈店主，安装油烟净化器，营业时间调整到22点",
        "solved": "true", "handler_name": "张伟", "handler_phone": "0570-12345678",
        "tab": "handling",
        "files": [SimpleUploadedFile("现场照片.png", PNG, "image/png"),
                  SimpleUploadedFile("整改通知.pdf", PDF, "application/pdf")],
    })

    assert response.status_code == 302 and response["Location"] == "/inbox/?tab=handling"
    order.refresh_from_db()
    assert order.state == State.REPLIED
    assert order.reply_handler == "张伟" and order.reply_solved is True
    mine = Assignment.objects.get(order=order, unit=city.unit("DC01"))
    assert mine.state == AssignmentState.REPLIED  # the unit's part is done
    files = Attachment.objects.filter(order=order, purpose="reply")
    assert sorted(f.name for f in files) == ["整改通知.pdf", "现场照片.png"]
    replied = text(street.get("/inbox/?tab=replied"))
    assert order.number in replied and "已约谈店主" in replied


def test_a_refused_reply_keeps_none_of_its_files(city, signed_order, street, settings,
                                                 tmp_path):
    settings.MEDIA_ROOT = tmp_path
    order = signed_order()

    response = street.post(f"/inbox/{order.number}/reply/", {
        "text": "   ", "solved": "true",
        "files": [SimpleUploadedFile("现场照片.png", PNG, "image/png")],
    }, follow=True)

    assert "请填写答复内容" in text(response)
    order.refresh_from_db()
    assert order.state == State.HANDLING
    assert not Attachment.objects.filter(order=order).exists()
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


def test_a_bad_file_refuses_the_whole_reply_with_a_plain_message(
        city, signed_order, street, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    order = signed_order()

    response = street.post(f"/inbox/{order.number}/reply/", {
        "text": "已处理", "solved": "true",
        "files": [SimpleUploadedFile("tool.exe", b"MZ\x90\x00", "application/octet-stream")],
    }, **HX)

    assert response["HX-Retarget"] == "#flash"
    assert "不支持的文件类型" in text(response)
    order.refresh_from_db()
    assert order.state == State.HANDLING


def test_sub_dispatch_offers_only_units_below_and_refuses_a_sideways_unit(
        city, signed_order, street):
    order = signed_order()
    form = text(street.get(f"/inbox/{order.number}/form/sub-dispatch/?tab=handling", **HX))
    assert 'value="DC0101"' in form and 'value="DC010101"' in form
    assert 'value="DC02"' not in form and 'value="CGJ"' not in form

    refused = street.post(f"/orders/{order.number}/do/sub-dispatch/", {
        "unit": "DC02", "note": "请协助核实", "next": "/inbox/?tab=handling"}, follow=True)
    assert "只能下派给本单位的下级单位" in text(refused)
    assert not order.children.exists()

    street.post(f"/orders/{order.number}/do/sub-dispatch/", {
        "unit": "DC0101", "note": "请社区上门核实并劝导", "next": "/inbox/?tab=handling"})
    child = order.children.get()
    assert child.lead_unit.code == "DC0101"
    subs = text(street.get("/inbox/?tab=subs"))
    assert child.number in subs and "下派给 " in subs
    # The community sees the sub-order waiting to be signed.
    community = login(city.user("dc0101_handler"))
    assert f'id="card-{child.number}"' in text(community.get("/inbox/"))


def test_the_return_form_asks_for_an_explanation_respectfully(city, dispatched_order, street):
    order = dispatched_order()
    form = text(street.get(f"/inbox/{order.number}/form/return/?tab=pending", **HX))
    for reason in ("非本单位职责", "地址不在本单位辖区", "信息不全，无法联系诉求人"):
        assert reason in form
    assert "请平和、具体地写明" in form and 'name="explanation"' in form
    assert "<optgroup" in form and 'value="CGJ"' in form  # a suggested unit to pick

    missing = street.post(f"/inbox/{order.number}/return/",
                          {"category": "not_duty", "explanation": "  ", "tab": "pending"})
    assert missing.status_code == 400
    assert "请填写具体说明" in text(missing)
    in_place = street.post(f"/inbox/{order.number}/return/",
                           {"category": "not_duty", "explanation": "不归", "tab": "pending"},
                           **HX)
    assert in_place.status_code == 200 and "至少 5 个字" in text(in_place)
    order.refresh_from_db()
    assert order.state == State.DISPATCHED

    done = street.post(f"/inbox/{order.number}/return/", {
        "category": "not_duty", "suggested_unit": "CGJ", "tab": "pending",
        "explanation": "该路段路灯由市城市管理局路灯所管护，不在本街道职责范围内"})

    assert done.status_code == 302 and done["Location"] == "/inbox/?tab=returns"
    order.refresh_from_db()
    assert order.state == State.RETURN_REVIEW
    request = ReturnRequest.objects.get(order=order)
    assert request.kind == ReturnKind.RETURN
    assert request.reason.startswith("【非本单位职责】该路段路灯")
    assert request.suggested_unit.code == "CGJ"
    returns = text(street.get("/inbox/?tab=returns"))
    assert order.number in returns and "【非本单位职责】" in returns


def test_extension_and_report_up_go_through_the_shared_endpoint(city, signed_order, street):
    order = signed_order()
    form = text(street.get(f"/inbox/{order.number}/form/request-extension/", **HX))
    assert f'action="/orders/{order.number}/do/request-extension/"' in form

    street.post(f"/orders/{order.number}/do/request-extension/", {
        "amount": "3", "unit": "workdays", "reason": "需等待施工队进场",
        "next": "/inbox/?tab=handling"})
    order.refresh_from_db()
    assert order.extension_status == "pending"
    page = text(street.get("/inbox/?tab=handling"))
    assert "延期审核中" in page
    assert 'data-action="request-extension"' not in page  # one request at a time

    form = text(street.get(f"/inbox/{order.number}/form/report-up/", **HX))
    assert 'name="suggested_unit"' in form
    street.post(f"/orders/{order.number}/do/report-up/", {
        "reason": "涉及跨区管网改造，本街道无法协调", "suggested_unit": "WATER",
        "next": "/inbox/?tab=handling"})
    order.refresh_from_db()
    assert order.state == State.RETURN_REVIEW
    assert ReturnRequest.objects.get(order=order).kind == ReturnKind.REPORT_UP


def test_a_summoned_department_sees_report_in_instead_of_sign(city, signed_order):
    order = signed_order()
    a.do_summon(order, city.street_handler, [city.unit("CGJ").pk], "占道经营需执法协助")
    department = login(city.department_handler)

    page = text(department.get("/inbox/"))

    assert f'id="card-{order.number}"' in page
    assert 'data-action="report-in"' in page and "报到" in page
    assert 'data-action="sign"' not in page and 'data-action="return"' not in page
    department.post(f"/orders/{order.number}/do/report-in/", {"next": "/inbox/"})
    part = Assignment.objects.get(order=order, unit=city.unit("CGJ"))
    assert part.state == AssignmentState.HANDLING


def test_another_unit_can_neither_see_nor_act_on_the_order(city, dispatched_order):
    order = dispatched_order()
    other = login(city.other_street_handler)

    assert order.number not in text(other.get("/inbox/"))
    assert other.get(f"/inbox/{order.number}/form/reply/").status_code == 404
    assert other.get(f"/inbox/{order.number}/form/return/").status_code == 404
    assert other.post(f"/inbox/{order.number}/reply/",
                      {"text": "x", "solved": "true"}).status_code == 404
    assert other.post(f"/inbox/{order.number}/return/", {
        "category": "not_duty", "explanation": "不是我们辖区的事情"}).status_code == 404
    assert other.get(f"/orders/{order.number}/").status_code == 404
    other.post(f"/orders/{order.number}/do/sign/", {"next": "/inbox/"})
    order.refresh_from_db()
    assert order.state == State.DISPATCHED


def test_the_inbox_is_for_unit_staff_only(city):
    agent = login(city.agent)
    response = agent.get("/inbox/")
    assert response.status_code == 302 and response["Location"] == "/"
    assert login(city.street_handler).get("/inbox/").status_code == 200


def test_the_inbox_markup_turns_into_cards_on_a_phone(city, dispatched_order, street):
    dispatched_order()
    page = text(street.get("/inbox/"))
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in page
    assert "web/inbox.css" in page
    for hook in ('class="inbox-list"', 'class="inbox-card', 'class="ic-main"',
                 'class="ic-clock"', 'class="ic-actions"', 'class="ic-panel"', "tap"):
        assert hook in page
    css = Path(finders.find("web/inbox.css")).read_text(encoding="utf-8")
    assert "@media (max-width: 820px)" in css
    assert "min-height: 44px" in css  # thumb-sized tap targets


def test_panels_work_without_script_as_pages_of_their_own(city, signed_order, street):
    order = signed_order()
    page = text(street.get(f"/inbox/{order.number}/form/reply/?tab=handling"))
    assert "<html" in page and "返回承办工作台" in page
    assert f'action="/inbox/{order.number}/reply/"' in page
    assert street.get(f"/inbox/{order.number}/form/nonsense/").status_code == 404


def test_the_inbox_query_count_does_not_grow_with_the_list(
        city, dispatched_order, street, django_assert_max_num_queries):
    for _ in range(12):
        a.do_sign(dispatched_order(), city.street_handler)
    with django_assert_max_num_queries(14):
        response = street.get("/inbox/?tab=handling")
    assert text(response).count('class="inbox-card') == 12
