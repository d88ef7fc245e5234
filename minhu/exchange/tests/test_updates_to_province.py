"""Every state change of a province order flows back up to the (simulated) provincial
platform, a real process on a free port: once each, in order, through an outage."""

from datetime import timedelta

from minhu.core import clock
from minhu.orders.actions import do_callback, do_dispatch, do_reply, do_sign, do_urge
from minhu.orders.models import WorkOrder
from minhu.outbox.actions import deliver_due
from minhu.outbox.models import Delivery, DeliveryStatus

NUMBER = "GS202611230101"


def _push(city, province, number=NUMBER):
    response = province.push(number, clock.now() + timedelta(days=6))
    assert response.status_code == 201, response.content.decode()
    return WorkOrder.objects.get(number=response.json()["city_no"])


def _seqs(updates):
    return [u["seq"] for u in updates]


def test_the_province_hears_every_step_of_the_closed_loop_once_and_in_order(
        city, province, connected, at):
    sim = connected
    with at(2026, 11, 23, 9):
        order = _push(city, province)
        order = do_dispatch(order, city.dispatcher, city.unit("DC01").pk)
        order = do_sign(order, city.street_handler)
        do_urge(order, city.supervisor, "phone", "请尽快处理")  # internal: stays in the city
        order = do_reply(order, city.street_handler, "已约谈店主，油烟净化器已安装",
                         solved=True, handler_name="王强")
        order = do_callback(order, city.callback_agent, reached=True, resolved="yes",
                            satisfaction="satisfied")
        assert deliver_due() == 5

    updates = sim.updates(NUMBER)
    assert [u["event"] for u in updates] == ["register", "dispatch", "sign", "reply",
                                             "callback"]
    assert [u["status"] for u in updates] == ["01", "02", "03", "05", "07"]
    assert _seqs(updates) == sorted(_seqs(updates))
    timeline = dict(order.events.values_list("seq", "action"))
    assert all(timeline[u["seq"]] == u["event"] for u in updates)
    assert "urge" in timeline.values()
    reply = updates[3]
    assert reply["reply"]["text"] == "已约谈店主，油烟净化器已安装"
    assert reply["reply"]["handler"] == "王强"
    assert reply["handling_unit"]["code"] == "DC01"
    assert reply["city_no"] == order.number
    assert updates[-1]["callback"] == {"resolved": "yes", "satisfaction": "satisfied"}
    assert updates[0]["province_due_at"].startswith("2026-11-29T09:00")
    assert updates[1]["city_due_at"].startswith("2026-11-26T09:00")
    assert sim.stats()["duplicates"] == 0 and sim.stats()["out_of_order"] == 0


def test_the_province_being_down_loses_nothing_duplicates_nothing_and_keeps_the_order(
        city, province, connected, at):
    sim = connected
    with at(2026, 11, 23, 9):
        order = _push(city, province)
        order = do_dispatch(order, city.dispatcher, city.unit("DC01").pk)
        assert deliver_due() == 2

        sim.stop()  # the province goes away
        order = do_sign(order, city.street_handler)
        order = do_reply(order, city.street_handler, "已处理完毕", solved=True)
        assert deliver_due() == 0
        waiting = Delivery.objects.filter(order=order, status=DeliveryStatus.PENDING)
        assert waiting.count() == 2
        sign = waiting.get(event="sign")
        assert sign.attempts == 1 and sign.last_error
        assert sign.next_attempt_at >= clock.now() + timedelta(seconds=30)
        assert waiting.get(event="reply").attempts == 0  # held back behind "sign"

    with at(2026, 11, 23, 9, 5):
        assert deliver_due() == 0  # still down: the back-off grows
        sign.refresh_from_db()
        assert sign.attempts == 2
        assert sign.next_attempt_at >= clock.now() + timedelta(seconds=60)

    with at(2026, 11, 23, 10):
        sim.start()  # back on the same port, with what it had received before
        sim.control(down=True)  # up, but answering 503 (maintenance)
        order = do_callback(order, city.callback_agent, reached=True, resolved="yes",
                            satisfaction="basic")
        assert deliver_due() == 0
        sign.refresh_from_db()
        assert sign.last_status == 503

    with at(2026, 11, 23, 12):
        sim.control(down=False)
        assert deliver_due() == 3

    updates = sim.updates(NUMBER)
    assert [u["event"] for u in updates] == ["register", "dispatch", "sign", "reply",
                                             "callback"]
    assert _seqs(updates) == sorted(set(_seqs(updates)))
    assert sim.stats()["duplicates"] == 0 and sim.stats()["out_of_order"] == 0
    assert not Delivery.objects.filter(order=order).exclude(
        status=DeliveryStatus.DELIVERED).exists()


def test_an_update_resent_after_a_lost_answer_is_stored_once_by_the_province(
        city, province, connected, at):
    sim = connected
    with at(2026, 11, 23, 9):
        order = _push(city, province)
        assert deliver_due() == 1
        sim.control(fail_after_store=1)  # stores the next update, then answers 500
        order = do_dispatch(order, city.dispatcher, city.unit("DC01").pk)
        assert deliver_due() == 0
        dispatch = Delivery.objects.get(order=order, event="dispatch")
        assert dispatch.status == DeliveryStatus.PENDING and dispatch.last_status == 500
    with at(2026, 11, 23, 9, 10):
        assert deliver_due() == 1

    updates = sim.updates(NUMBER)
    assert [u["event"] for u in updates] == ["register", "dispatch"]
    assert sim.stats()["duplicates"] == 1
    assert updates[1]["delivery_id"] == str(dispatch.pk)


def test_a_wrong_secret_is_refused_by_the_province(city, province, connected, at):
    from minhu.exchange.outbound import configure

    configure(connected.url + "/updates", "not-the-secret-we-agreed-on")
    with at(2026, 11, 23, 9):
        order = _push(city, province)
        assert deliver_due() == 0
    assert Delivery.objects.get(order=order).last_status == 401
    assert connected.stats()["bad_signatures"] == 1
    assert connected.updates() == []


def test_orders_from_other_channels_send_nothing_to_the_province(
        city, new_order, connected, at):
    with at(2026, 11, 23, 9):
        order = new_order()
        do_dispatch(order, city.dispatcher, city.unit("DC01").pk)
        assert not Delivery.objects.filter(endpoint__code="province").exists()
        assert deliver_due() == 0
    assert connected.updates() == []


def _sent(order):
    return list(Delivery.objects.filter(order=order, endpoint__code="province")
                .order_by("seq").values_list("payload", flat=True))


def test_returns_and_extensions_go_up_as_results_but_requests_and_urgings_stay_here(
        city, province, at):
    from minhu.exchange.outbound import configure
    from minhu.orders.actions import (
        do_request_extension,
        do_return,
        do_review_extension,
        do_review_return,
    )

    configure("http://127.0.0.1:9/updates", "a-secret-long-enough-to-use")
    with at(2026, 11, 23, 9):
        order = _push(city, province)
        order = do_dispatch(order, city.dispatcher, city.unit("DC01").pk)
        order = do_return(order, city.street_handler, "该事项属城管执法职责")
        order = do_review_return(order, city.dispatcher, approve=True, note="改派城管",
                                 lead_unit=city.unit("CGJ").pk)
        order = do_sign(order, city.department_handler)
        order = do_request_extension(order, city.department_handler, 1, "days", "需协调商户")
        order = do_urge(order, city.supervisor, "phone", "请加快")
        order = do_review_extension(order, city.dispatcher, approve=True, note="同意")
    sent = _sent(order)
    assert [(p["event"], p["status"]) for p in sent] == [
        ("register", "01"), ("dispatch", "02"), ("return", "04"), ("review_return", "02"),
        ("sign", "03"), ("review_extension", "03")]
    assert sent[2]["note"] == "该事项属城管执法职责"
    assert sent[3]["result"]["approve"] is True
    assert sent[3]["handling_unit"]["code"] == "CGJ"
    assert sent[5]["result"]["new_due_at"] > sent[5]["result"]["old_due_at"]


def test_a_province_order_merged_into_another_gets_the_masters_result_up(
        city, province, new_order, at):
    from minhu.exchange.outbound import configure
    from minhu.orders.actions import do_merge

    configure("http://127.0.0.1:9/updates", "a-secret-long-enough-to-use")
    with at(2026, 11, 23, 9):
        master = do_dispatch(new_order(), city.dispatcher, city.unit("DC01").pk)
        order = _push(city, province)
        do_merge(order, city.dispatcher, master.number, "同一烧烤店")
        master = do_sign(master, city.street_handler)
        master = do_reply(master, city.street_handler, "已整改", solved=True)
        do_callback(master, city.callback_agent, reached=True, resolved="yes",
                    satisfaction="satisfied")
    sent = _sent(order)
    assert [(p["event"], p["status"]) for p in sent] == [
        ("register", "01"), ("merge", "09"), ("master_closed", "09")]
    assert sent[-1]["reply"]["text"] == "已整改" and sent[-1]["closed_at"]
    assert not Delivery.objects.filter(order=master, endpoint__code="province").exists()


def test_the_province_can_fetch_the_updates_it_missed(city, province, connected, at):
    with at(2026, 11, 23, 9):
        order = _push(city, province)
        assert deliver_due() == 1
        connected.stop()
        do_dispatch(order, city.dispatcher, city.unit("DC01").pk)
        deliver_due()
        response = province.client.get(f"/api/v1/province/orders/{NUMBER}/updates",
                                        HTTP_AUTHORIZATION=f"Bearer {province.key}")
    assert response.status_code == 200
    updates = response.json()["updates"]
    assert [(u["event"], u["status"], u["delivered"]) for u in updates] == [
        ("register", "01", True), ("dispatch", "02", False)]
    assert updates[1]["delivery_id"] == Delivery.objects.get(order=order, event="dispatch").pk


def test_updates_made_while_the_exchange_is_paused_are_sent_when_it_resumes(
        city, province, connected, at):
    from minhu.exchange.outbound import configure

    from .processes import SECRET

    configure(connected.url + "/updates", SECRET, active=False)
    with at(2026, 11, 23, 9):
        order = _push(city, province)
        do_dispatch(order, city.dispatcher, city.unit("DC01").pk)
        assert deliver_due() == 0
        configure(connected.url + "/updates", SECRET)
        assert deliver_due() == 2
    assert [u["event"] for u in connected.updates(NUMBER)] == ["register", "dispatch"]
