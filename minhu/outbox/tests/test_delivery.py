import json
import socket
from datetime import datetime, timedelta

import pytest

from minhu.audit.models import AuditEntry
from minhu.conftest import CITY_TZ
from minhu.core.errors import MinhuError
from minhu.orders.actions import do_dispatch, do_sign
from minhu.outbox import actions, signing
from minhu.outbox.actions import deliver_due, requeue
from minhu.outbox.models import Delivery, DeliveryStatus

CONTENT = "请推送进度：小区楼下烧烤店油烟扰民"


def clock_at(*parts):
    return datetime(*parts, tzinfo=CITY_TZ)


def test_follower_pairs_become_pending_deliveries_with_the_event(followed, new_order):
    order = new_order(content=CONTENT)
    delivery = Delivery.objects.get(order=order)
    assert (delivery.endpoint, delivery.seq, delivery.event, delivery.status) == (
        followed, 1, "register", DeliveryStatus.PENDING)
    assert delivery.payload["number"] == order.number


def test_orders_the_follower_ignores_get_no_delivery(followed, new_order):
    order = new_order(content="路灯不亮")
    assert not Delivery.objects.filter(order=order).exists()


def test_a_rolled_back_action_leaves_no_delivery(followed, new_order, city):
    order = new_order(content=CONTENT)
    with pytest.raises(MinhuError):
        do_sign(order, city.street_handler)  # not dispatched yet: refused, rolled back
    assert list(Delivery.objects.filter(order=order).values_list("seq", flat=True)) == [1]


def test_delivery_is_posted_as_signed_json_that_the_receiver_verifies(
        followed, new_order, receiver, at):
    with at(2025, 9, 30, 10):
        order = new_order(content=CONTENT)
        assert deliver_due() == 1
    got = receiver.requests[0]
    delivery = Delivery.objects.get(order=order)
    assert receiver.verified(got)
    assert got.headers["X-Minhu-Delivery"] == str(delivery.pk)
    assert got.headers["X-Minhu-Event"] == "register"
    assert got.headers["Content-Type"].startswith("application/json")
    assert got.headers["X-Minhu-Timestamp"] == str(int(clock_at(2025, 9, 30, 10).timestamp()))
    payload = json.loads(got.body.decode("utf-8"))
    assert payload["note"] == "油烟😀<script>alert(1)</script>"
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.last_status == 200


def test_a_tampered_body_fails_verification(followed, new_order, receiver):
    new_order(content=CONTENT)
    deliver_due()
    got = receiver.requests[0]
    assert not signing.verify(receiver.secret, got.headers["X-Minhu-Timestamp"],
                              got.body.replace(b"register", b"closed"),
                              got.headers["X-Minhu-Signature"])
    assert not signing.verify("wrong secret", got.headers["X-Minhu-Timestamp"], got.body,
                              got.headers["X-Minhu-Signature"])


def test_a_failing_receiver_is_retried_with_growing_backoff(followed, new_order, receiver, at):
    receiver.statuses = [503, 500, 200]
    with at(2025, 9, 30, 10):
        order = new_order(content=CONTENT)
        assert deliver_due() == 0
    delivery = Delivery.objects.get(order=order)
    assert (delivery.attempts, delivery.last_status) == (1, 503)
    assert "系统维护中" in delivery.last_error
    first_wait = delivery.next_attempt_at - clock_at(2025, 9, 30, 10)
    assert timedelta(seconds=30) <= first_wait <= timedelta(seconds=36)
    with at(2025, 9, 30, 10, 0, 20):
        assert deliver_due() == 0  # not due yet: nothing sent
    assert len(receiver.requests) == 1
    with at(2025, 9, 30, 10, 1):
        assert deliver_due() == 0
    delivery.refresh_from_db()
    second_wait = delivery.next_attempt_at - clock_at(2025, 9, 30, 10, 1)
    assert timedelta(seconds=60) <= second_wait <= timedelta(seconds=72)
    with at(2025, 9, 30, 10, 3):
        assert deliver_due() == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (
        DeliveryStatus.DELIVERED, 3, "")
    assert receiver.delivery_ids == [str(delivery.pk)] * 3


def test_backoff_doubles_and_is_capped_at_an_hour():
    assert actions.backoff(1) >= timedelta(seconds=30)
    assert actions.backoff(3) >= timedelta(minutes=2)
    assert timedelta(hours=1) <= actions.backoff(12) <= timedelta(hours=1.2)


def test_an_unreachable_receiver_is_a_failure_with_the_network_error(
        followed, new_order, at):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    followed.url = f"http://127.0.0.1:{port}/"
    followed.save()
    with at(2025, 9, 30, 10):
        order = new_order(content=CONTENT)
        deliver_due()
    delivery = Delivery.objects.get(order=order)
    assert delivery.status == DeliveryStatus.PENDING and delivery.last_status is None
    assert "refused" in delivery.last_error.lower() or "URLError" in delivery.last_error


def test_an_endpoint_that_does_not_answer_is_tried_once_per_pass(
        followed, new_order, at):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    followed.url = f"http://127.0.0.1:{port}/"
    followed.save()
    with at(2025, 9, 30, 10):
        first = new_order(content=CONTENT)
        second = new_order(content=CONTENT + "（二）")
        assert deliver_due() == 0
    tried = Delivery.objects.get(order=first)
    spared = Delivery.objects.get(order=second)
    assert (tried.attempts, spared.attempts) == (1, 0)
    assert spared.next_attempt_at == clock_at(2025, 9, 30, 10)  # due again next pass
    with at(2025, 9, 30, 10, 1):
        deliver_due()
    spared.refresh_from_db()
    assert spared.attempts == 1  # the first is in its back-off: the second is tried now


def test_delivery_is_dead_after_max_attempts_and_requeue_sends_it_again(
        followed, new_order, receiver, at, city):
    receiver.statuses = [500]
    with at(2025, 9, 30, 10):
        order = new_order(content=CONTENT)
    for hour in range(10, 14):
        with at(2025, 9, 30, hour, 30):
            deliver_due()
    delivery = Delivery.objects.get(order=order)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DEAD, 4)
    with at(2025, 9, 30, 20):
        assert deliver_due() == 0  # dead: no more attempts
    assert len(receiver.requests) == 4

    receiver.statuses = [200]
    with at(2025, 10, 1, 9):
        requeue(delivery, city.supervisor)
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 0)
        assert deliver_due() == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    entry = AuditEntry.objects.get(action="outbox_requeue", object_id=str(delivery.pk))
    assert entry.actor == city.supervisor


def test_only_dead_deliveries_can_be_requeued(followed, new_order, city):
    order = new_order(content=CONTENT)
    with pytest.raises(MinhuError) as err:
        requeue(Delivery.objects.get(order=order), city.supervisor)
    assert err.value.code == "not_dead"


def test_later_updates_wait_while_an_earlier_one_fails(
        followed, new_order, receiver, at, city):
    receiver.statuses = [500]
    with at(2025, 9, 30, 10):
        order = new_order(content=CONTENT)
        deliver_due()  # the registration fails
        order = do_dispatch(order, city.dispatcher, city.unit("DC01").pk, [])
        do_sign(order, city.street_handler)
        assert deliver_due() == 0
    assert [json.loads(r.body)["seq"] for r in receiver.requests] == [1]

    receiver.statuses = [200]
    with at(2025, 9, 30, 11):
        assert deliver_due() == 3
    assert [json.loads(r.body)["seq"] for r in receiver.requests] == [1, 1, 2, 3]


def test_a_dead_update_holds_back_later_ones_until_requeued(
        followed, new_order, receiver, at, city):
    receiver.statuses = [500]
    with at(2025, 9, 30, 10):
        order = new_order(content=CONTENT)
        do_dispatch(order, city.dispatcher, city.unit("DC01").pk, [])
    for hour in range(10, 15):
        with at(2025, 9, 30, hour, 30):
            deliver_due()
    first, second = Delivery.objects.filter(order=order).order_by("seq")
    assert (first.status, second.status, second.attempts) == (
        DeliveryStatus.DEAD, DeliveryStatus.PENDING, 0)

    receiver.statuses = [200]
    with at(2025, 10, 1, 9):
        assert deliver_due() == 0
        requeue(first, city.supervisor)
        assert deliver_due() == 2
    assert [json.loads(r.body)["seq"] for r in receiver.requests][-2:] == [1, 2]


def test_updates_of_different_orders_do_not_hold_each_other_back(
        followed, new_order, receiver, at):
    receiver.statuses = [500, 200]
    with at(2025, 9, 30, 10):
        new_order(content=CONTENT)
        new_order(content=CONTENT + "（二）")
        assert deliver_due() == 1


def test_a_second_worker_never_sends_a_delivery_already_being_sent(
        followed, new_order, receiver, monkeypatch):
    order = new_order(content=CONTENT)
    real_post = signing.post
    nested = []

    def post_while_another_worker_runs(*args, **kwargs):
        # A second worker runs deliver_due while the first one is mid-request.
        nested.append(deliver_due())
        return real_post(*args, **kwargs)

    monkeypatch.setattr(signing, "post", post_while_another_worker_runs)
    assert deliver_due() == 1
    assert nested == [0]
    assert deliver_due() == 0
    assert receiver.delivery_ids == [str(Delivery.objects.get(order=order).pk)]


def test_inactive_endpoints_keep_their_deliveries_pending(followed, new_order, receiver):
    followed.is_active = False
    followed.save()
    order = new_order(content=CONTENT)
    assert deliver_due() == 0
    assert Delivery.objects.get(order=order).status == DeliveryStatus.PENDING
    assert receiver.requests == []


def test_new_deliveries_are_sent_right_after_the_commit(
        followed, new_order, receiver, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order = new_order(content=CONTENT)
    assert Delivery.objects.get(order=order).status == DeliveryStatus.DELIVERED
    assert len(receiver.requests) == 1


def test_delivered_rows_are_purged_after_the_retention_but_dead_ones_stay(
        followed, new_order, receiver, at):
    with at(2025, 9, 1, 10):
        delivered = new_order(content=CONTENT)
        deliver_due()
    receiver.statuses = [500]
    with at(2025, 9, 1, 11):
        failing = new_order(content=CONTENT + "（二）")
        followed.max_attempts = 1
        followed.save()
        deliver_due()
    with at(2025, 10, 15, 10):
        assert actions.purge_delivered() == 1
    assert not Delivery.objects.filter(order=delivered).exists()
    assert Delivery.objects.get(order=failing).status == DeliveryStatus.DEAD
