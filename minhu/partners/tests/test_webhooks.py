import json

from minhu.orders.actions import do_dispatch, do_reply, do_sign, do_urge
from minhu.outbox.actions import deliver_due
from minhu.outbox.models import Delivery
from minhu.partners.actions import set_webhook
from minhu.partners.models import PartnerRequest

from .conftest import request_body


def test_the_partner_hears_every_state_change_in_order_signed(
        api, wechat, city, receiver, at):
    receiver.secret = set_webhook(wechat, receiver.url)
    with at(2025, 9, 30, 9):
        api.post(request_body())
        order = PartnerRequest.objects.get().order
        order = do_dispatch(order, city.dispatcher, city.unit("DC01").pk, [])
        do_urge(order, city.supervisor, "phone", "请尽快处理")  # no state change: not sent
        order = do_sign(order, city.street_handler)
        do_reply(order, city.street_handler, "电梯已修复", solved=True)
        assert deliver_due() == 4
    payloads = [json.loads(r.body) for r in receiver.requests]
    assert [(p["event"], p["state"]) for p in payloads] == [
        ("register", "registered"), ("dispatch", "dispatched"), ("sign", "handling"),
        ("reply", "replied")]
    assert all(receiver.verified(r) for r in receiver.requests)
    assert {p["partner_id"] for p in payloads} == {"WX20250930-0001"}
    assert {p["number"] for p in payloads} == {order.number}
    assert payloads[-1]["state_label"] == "待回访"
    assert payloads[-1]["at"] == "2025-09-30T09:00:00+08:00"
    assert payloads[-1]["reply"]["text"] == "电梯已修复"
    assert "reply" not in payloads[0]
    assert [r.headers["X-Minhu-Event"] for r in receiver.requests][-1] == "reply"


def test_orders_from_other_channels_and_partners_without_webhook_send_nothing(
        api, other_api, wechat, new_order, receiver):
    set_webhook(wechat, receiver.url)
    new_order()  # registered by an agent on the phone
    other_api.post(request_body())  # the hotline partner has no webhook
    assert not Delivery.objects.exists()


def test_a_disabled_webhook_receives_nothing(api, wechat, receiver):
    set_webhook(wechat, receiver.url)
    wechat.endpoint.is_active = False
    wechat.endpoint.save()
    api.post(request_body())
    assert not Delivery.objects.exists()
