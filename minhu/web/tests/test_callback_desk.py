"""The callback desk 回访台: the queue of replied orders, the script and the outcome form,
which posts to the shared operation endpoint and moves on to the next order."""

import re
from datetime import timedelta

import pytest
from django.test import Client

from minhu.audit.models import AuditEntry
from minhu.core import clock
from minhu.orders import actions as a
from minhu.orders.models import Callback
from minhu.orders.states import State


@pytest.fixture
def callback(city) -> Client:
    client = Client()
    client.force_login(city.callback_agent)
    return client


@pytest.fixture
def replied_order(city, dispatched_order):
    """An order the street DC01 has signed and answered, waiting for the callback."""

    def make(**fields):
        order = dispatched_order(**fields)
        a.do_sign(order, city.street_handler)
        return a.do_reply(order, city.street_handler,
                          "已约谈店主，油烟净化器已安装，营业时间调整到22点", solved=True,
                          handler_name="陈志强", handler_phone="0570-88886666")

    return make


def section(page: str, ident: str) -> str:
    start = page.index(f'id="{ident}"')
    end = page.index("</section>", start)
    return page[start:end]


def text(response) -> str:
    return response.content.decode()


def test_the_desk_lists_a_replied_order_with_its_reply_handler_and_script(
        city, replied_order, callback):
    order = replied_order()
    response = callback.get("/callback/")
    assert response.status_code == 200
    page = text(response)
    assert order.number in section(page, "queue-due")
    # The oldest replied order is opened for work.
    assert f'action="/orders/{order.number}/do/callback/"' in page
    assert "已约谈店主" in page and "陈志强" in page and "0570-88886666" in page
    assert "您好，这里是12345市民服务热线" in page
    assert "请问问题解决了吗？您对办理结果满意吗？" in page
    assert "承办单位：<b>文昌街道</b>" in page
    # The citizen is masked until the agent asks to see the number.
    assert "138****5678" in page and "13812345678" not in page
    for dim in ("服务态度", "办理能力"):
        assert dim in page


def test_the_queue_is_oldest_reply_first(city, replied_order, callback, at):
    with at(2026, 3, 2, 9):
        older = replied_order()
    with at(2026, 3, 3, 9):
        newer = replied_order()
    due = section(text(callback.get("/callback/")), "queue-due")
    assert due.index(older.number) < due.index(newer.number)


def test_recording_satisfied_closes_the_order_and_moves_to_the_next(
        city, replied_order, callback):
    first, second = replied_order(), replied_order()
    response = callback.post(f"/orders/{first.number}/do/callback/", {
        "reached": "true", "resolved": "yes", "satisfaction": "satisfied",
        "score_attitude": "5", "score_speed": "4", "note": "市民表示满意", "next": "/callback/",
    })
    assert response.status_code == 302 and response["Location"] == "/callback/"
    first.refresh_from_db()
    assert first.state == State.CLOSED and first.satisfaction == "satisfied"
    assert first.events.order_by("-seq").first().action == "callback"
    assert Callback.objects.get(order=first).scores == {"attitude": 5, "speed": 4}
    page = text(callback.get("/callback/"))
    assert "回访成功" in page
    assert first.number not in section(page, "queue-due")
    assert f'action="/orders/{second.number}/do/callback/"' in page


def test_with_htmx_the_desk_is_told_to_load_the_next_order(city, replied_order, callback):
    order = replied_order()
    response = callback.post(f"/orders/{order.number}/do/callback/", {
        "reached": "true", "resolved": "partly", "satisfaction": "basic", "next": "/callback/",
    }, HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Redirect"] == "/callback/"


def test_dissatisfied_moves_the_order_to_the_review_queue_shown_on_the_desk(
        city, replied_order, callback):
    order = replied_order()
    callback.post(f"/orders/{order.number}/do/callback/", {
        "reached": "true", "resolved": "no", "satisfaction": "dissatisfied",
        "note": "油烟依旧", "next": "/callback/"})
    order.refresh_from_db()
    assert order.state == State.DISSATISFIED_REVIEW
    page = text(callback.get("/callback/"))
    assert order.number in section(page, "queue-dissatisfied")
    assert order.number not in section(page, "queue-due")


def test_an_unreached_citizen_is_scheduled_for_a_retry_and_waits_in_the_retry_section(
        city, replied_order, callback, at):
    with at(2026, 3, 2, 9):
        order = replied_order()
        callback.post(f"/orders/{order.number}/do/callback/",
                      {"reached": "false", "note": "无人接听", "next": "/callback/"})
        order.refresh_from_db()
        assert order.state == State.REPLIED
        attempt = Callback.objects.get(order=order)
        assert not attempt.reached and attempt.retry_at > clock.now()
        page = text(callback.get("/callback/"))
        retry = section(page, "queue-retry")
        assert order.number in retry and "13:00" in retry and "已拨 1 次" in retry
        assert order.number not in section(page, "queue-due")
        assert "回访队列已清空" in page
    # Once the retry time has come it is back in the queue, as a second attempt.
    with at(2026, 3, 2, 13, 5):
        page = text(callback.get("/callback/"))
        assert order.number in section(page, "queue-due") and "第 2 次拨打" in page
        assert order.number not in section(page, "queue-retry")
        assert "无人接听" in page  # the history of attempts


def test_a_missing_answer_gives_a_chinese_message_and_changes_nothing(
        city, replied_order, callback):
    order = replied_order()
    response = callback.post(f"/orders/{order.number}/do/callback/", {
        "reached": "true", "next": "/callback/"}, HTTP_HX_REQUEST="true")
    assert "请选择是否解决" in text(response)
    order.refresh_from_db()
    assert order.state == State.REPLIED and not Callback.objects.filter(order=order).exists()


def test_revealing_the_number_to_dial_is_audited(city, replied_order, callback):
    order = replied_order()
    response = callback.post(f"/callback/{order.number}/reveal/")
    assert 'href="tel:13812345678"' in text(response)
    assert AuditEntry.objects.filter(action="view_pii", object_id=order.number).exists()


def test_an_order_not_waiting_for_a_callback_is_not_opened(city, new_order, callback):
    order = new_order()
    page = text(callback.get("/callback/", {"order": order.number}))
    assert "不在回访队列中" in page
    assert "工单不存在或您无权查看" in text(callback.get("/callback/", {"order": "YZ\x00"}))


def test_the_desk_is_refused_to_an_agent_and_a_unit(city):
    for user in (city.agent, city.street_handler):
        client = Client()
        client.force_login(user)
        response = client.get("/callback/")
        assert response.status_code == 403 and "回访台仅供回访员使用" in text(response)


def test_the_queue_is_paginated_and_the_page_makes_few_queries(
        city, replied_order, callback, django_assert_max_num_queries):
    orders = [replied_order() for _ in range(17)]
    with django_assert_max_num_queries(20):
        page = text(callback.get("/callback/"))
    due = section(page, "queue-due")
    assert len(re.findall(r"\?order=", due)) == 15 and "第 1 / 2 页" in due
    page2 = section(text(callback.get("/callback/", {"page": 2})), "queue-due")
    assert orders[-1].number in page2


def test_empty_queues_say_so(callback):
    page = text(callback.get("/callback/"))
    assert "没有待回访的工单" in page and "没有待重拨的工单" in page
    assert "回访队列已清空" in page


def test_the_retry_time_follows_the_platform_setting(city, replied_order, callback, at):
    from minhu.catalog.models import PlatformSettings

    PlatformSettings.objects.update(callback_retry_hours=2)
    with at(2026, 3, 2, 9):
        order = replied_order()
        page = text(callback.get("/callback/"))
        assert "未接通（2 小时后重拨）" in page
        callback.post(f"/orders/{order.number}/do/callback/", {"reached": "false"})
        assert Callback.objects.get(order=order).retry_at == clock.now() + timedelta(hours=2)
