"""Orders tell their citizens by SMS: the reply invites a rating, a merged duplicate
learns the master's result."""

import logging

from django.core import signing

from minhu.notices.models import Notice, OutgoingMessage
from minhu.orders import actions as a


def reply(order, city, text="已协调店铺整改，油烟净化器已安装"):
    a.do_sign(order, city.street_handler)
    return a.do_reply(order, city.street_handler, text, solved=True,
                      handler_name="刘洋", handler_phone="0571-88001234")


def rate_token_in(text: str) -> str:
    return text.split("/m/rate/")[1].split("/")[0]


def test_the_lead_units_reply_sends_the_citizen_a_rating_link(
        city, dispatched_order, sms_outbox, django_capture_on_commit_callbacks):
    order = dispatched_order()
    with django_capture_on_commit_callbacks(execute=True):
        order = reply(order, city)
    assert order.state == "replied"
    assert list(order.events.order_by("seq").values_list("action", flat=True)) == [
        "register", "dispatch", "sign", "reply"]
    message = OutgoingMessage.objects.get(to="13812345678", template="order_replied")
    assert message.order == order and message.status == "sent"
    assert order.number in message.text and city.unit("DC01").name in message.text
    assert "油烟" not in message.text  # the content of the order never travels by SMS
    assert message.text.startswith(f"您反映的问题（工单 {order.number}）已由")
    assert "https://12345.yunzhou.example/m/rate/" in message.text
    token = rate_token_in(message.text)
    assert signing.loads(token, salt="minhu.portal.rate") == {"n": order.number}
    assert "回复TD退订，或访问 https://12345.yunzhou.example/notify/optout/" in message.text
    assert [m["template"] for m in sms_outbox] == ["order_replied"]


def test_a_second_reply_after_reopening_asks_again_but_a_replayed_event_does_not(
        city, dispatched_order, django_capture_on_commit_callbacks):
    from minhu.notices.citizens import on_event_committed

    with django_capture_on_commit_callbacks(execute=True):
        order = reply(dispatched_order(), city)
    event = order.events.get(action="reply")
    on_event_committed(sender=None, order=order, event=event)  # e.g. a re-delivered signal
    assert OutgoingMessage.objects.filter(order=order, template="order_replied").count() == 1


def test_anonymous_orders_get_no_sms(city, dispatched_order, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order = reply(dispatched_order(is_anonymous=True), city)
    assert order.state == "replied"
    assert not OutgoingMessage.objects.filter(order=order).exists()


def test_a_confidential_order_does_not_name_the_unit(
        city, dispatched_order, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order = reply(dispatched_order(is_confidential=True), city)
    message = OutgoingMessage.objects.get(order=order, template="order_replied")
    assert "承办单位" in message.text and city.unit("DC01").name not in message.text


def test_a_landline_gets_no_sms_and_the_reply_still_succeeds(
        city, dispatched_order, caplog, django_capture_on_commit_callbacks):
    with caplog.at_level(logging.INFO), django_capture_on_commit_callbacks(execute=True):
        order = reply(dispatched_order(citizen_phone="0571-88001234"), city)
    assert order.state == "replied"
    assert not OutgoingMessage.objects.filter(order=order).exists()
    assert "057****1234" in caplog.text and "0571-88001234" not in caplog.text


def test_a_co_handlers_reply_does_not_message_the_citizen(
        city, dispatched_order, django_capture_on_commit_callbacks):
    order = dispatched_order(co=("CGJ",))
    with django_capture_on_commit_callbacks(execute=True):
        a.do_sign(order, city.street_handler)
        a.do_sign(order, city.department_handler)
        a.do_reply(order, city.department_handler, "已对店铺立案查处", solved=True)
    assert not OutgoingMessage.objects.filter(order=order).exists()


def test_a_merged_duplicates_citizen_gets_the_result_by_sms(
        city, new_order, dispatched_order, sms_outbox, django_capture_on_commit_callbacks):
    master = dispatched_order()
    duplicate = new_order(citizen_phone="13900001111")
    with django_capture_on_commit_callbacks(execute=True):
        a.do_merge(duplicate, city.dispatcher, master.number, "同一店铺油烟问题")
        reply(master, city, "店铺已停业整改")
        a.do_callback(master, city.callback_agent, reached=True, resolved="yes",
                      satisfaction="satisfied")
    message = OutgoingMessage.objects.get(to="13900001111", template="citizen_result")
    assert message.order_id == duplicate.pk and message.status == "sent"
    assert duplicate.number in message.text
    assert Notice.objects.filter(order=duplicate, kind="citizen_result").count() == 1
    assert sorted(m["to"] for m in sms_outbox) == ["13812345678", "13900001111"]


def test_a_missing_template_is_logged_and_the_reply_still_succeeds(
        city, dispatched_order, caplog, django_capture_on_commit_callbacks):
    from minhu.notices.models import MessageTemplate

    MessageTemplate.objects.filter(code="order_replied").delete()
    with django_capture_on_commit_callbacks(execute=True):
        order = reply(dispatched_order(), city)
    assert order.state == "replied"
    assert "cannot send order_replied SMS" in caplog.text
    assert not OutgoingMessage.objects.filter(order=order).exists()
