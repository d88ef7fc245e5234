"""Who sees what: units see their own orders, PII is masked, reveals are audited."""

import pytest

from minhu.audit.models import AuditEntry
from minhu.core.errors import Forbidden, NotFound
from minhu.orders.access import access_order, citizen_view
from minhu.orders.actions import do_reply, do_sign, do_sub_dispatch
from minhu.orders.models import WorkOrder


def test_a_unit_cannot_see_an_order_dispatched_to_another_unit(city, dispatched_order):
    order = dispatched_order(lead="DC01")
    assert not WorkOrder.objects.visible_to(city.other_street_handler).filter(
        pk=order.pk).exists()
    with pytest.raises(NotFound) as err:
        access_order(city.other_street_handler, order.number)
    missing = pytest.raises(NotFound)
    with missing as err2:
        access_order(city.other_street_handler, "YZ00000000000000")
    assert err.value.message == err2.value.message  # "not yours" looks like "not there"


def test_a_unit_cannot_sign_an_order_dispatched_elsewhere(city, dispatched_order):
    order = dispatched_order(lead="DC01")
    with pytest.raises(NotFound):
        do_sign(order, city.other_street_handler)
    order.refresh_from_db()
    assert order.state == "dispatched" and order.event_count == 2


def test_the_centre_sees_every_order(city, dispatched_order):
    order = dispatched_order(lead="DC02")
    assert access_order(city.agent, order.number) == order


def test_a_street_sees_sub_orders_of_its_communities_and_the_community_sees_its_own(
        city, dispatched_order):
    order = dispatched_order(lead="DC01")
    do_sign(order, city.street_handler)
    child = do_sub_dispatch(order, city.street_handler, city.unit("DC0101").pk, "请社区核实")
    community_user = city.user("dc0101_handler")
    assert access_order(community_user, child.number) == child
    with pytest.raises(NotFound):
        access_order(community_user, order.number)
    assert access_order(city.street_handler, child.number) == child


def test_units_see_a_masked_phone_and_a_reveal_is_audited(city, dispatched_order):
    order = dispatched_order(lead="DC01")
    masked = citizen_view(city.street_handler, order)
    assert masked["phone"] == "138****5678" and masked["name"] == "张**"
    assert not AuditEntry.objects.filter(object_id=order.number).exists()
    full = citizen_view(city.street_handler, order, reveal=True, via="test")
    assert full["phone"] == "13812345678"
    entry = AuditEntry.objects.get(object_id=order.number, action="view_pii")
    assert entry.actor == city.street_handler and entry.via == "test"


def test_a_confidential_report_hides_the_citizen_from_units_entirely(city, dispatched_order):
    order = dispatched_order(lead="DC01", request_type="report")
    assert order.is_confidential
    hidden = citizen_view(city.street_handler, order)
    assert hidden == {"name": "（保密）", "phone": "", "masked": True, "confidential": True}
    with pytest.raises(Forbidden):
        citizen_view(city.street_handler, order, reveal=True)
    assert not AuditEntry.objects.filter(object_id=order.number).exists()
    # The centre can still call the reporter back, and that view is audited.
    assert citizen_view(city.callback_agent, order, reveal=True)["phone"] == "13812345678"
    assert AuditEntry.objects.filter(object_id=order.number, actor=city.callback_agent).exists()


def test_an_evaluator_sees_only_closed_orders_and_never_the_phone(city, dispatched_order):
    evaluator = city.user("evaluator1")
    order = dispatched_order(lead="DC01")
    with pytest.raises(NotFound):
        access_order(evaluator, order.number)
    do_sign(order, city.street_handler)
    do_reply(order, city.street_handler, "已协调店主整改", solved=True)
    from minhu.orders.actions import do_callback

    do_callback(order, city.callback_agent, reached=True, resolved="yes",
                satisfaction="satisfied")
    assert access_order(evaluator, order.number).state == "closed"
    with pytest.raises(Forbidden):
        citizen_view(evaluator, order, reveal=True)
