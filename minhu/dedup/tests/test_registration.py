"""Detection at registration: repeat links, incidents, and the hints the desk shows."""

from io import StringIO

from django.core.management import call_command

from minhu.dedup import find_duplicates
from minhu.dedup.models import Incident, IncidentMember, OrderSignature, RepeatLink

LIFT = "锦绣家园3号楼电梯坏了，老人上不了楼，希望尽快修理"


def test_a_registered_order_gets_a_signature(new_order):
    order = new_order(content=LIFT)
    sig = OrderSignature.objects.get(order=order)
    assert "elevator" in sig.concepts
    assert sig.phone == "13812345678"


def test_another_caller_about_the_same_lift_joins_an_incident(new_order, at):
    with at(2026, 3, 2, 9):
        first = new_order(content=LIFT, citizen_phone="13900000001")
    with at(2026, 3, 2, 12):
        second = new_order(content="电梯又停运了，住高层的老人下不了楼",
                           citizen_phone="13900000002", address="锦绣家园那边")
    hints = find_duplicates(second)
    assert [h.order_id for h in hints] == [first.pk]
    assert hints[0].kind == "incident"
    assert "同一小区" in hints[0].reason and "间隔 3 小时" in hints[0].reason
    incident = Incident.objects.get()
    assert incident.size == 2 and incident.master_id == first.pk
    assert IncidentMember.objects.filter(incident=incident).count() == 2
    assert hints[0].incident_id == incident.pk


def test_the_same_caller_again_is_a_counted_repeat(new_order, at):
    with at(2026, 3, 2, 9):
        first = new_order(content=LIFT)
    with at(2026, 3, 4, 9):
        second = new_order(content="我前天反映的电梯还没修好", address="")
    with at(2026, 3, 6, 9):
        third = new_order(content="电梯到现在还是坏的，第三次打电话了", address="")
    assert RepeatLink.objects.get(order=second).earlier_id == first.pk
    assert OrderSignature.objects.get(order=third).repeat_count == 2
    hint = find_duplicates(third)[0]
    assert hint.kind == "repeat" and "同一来电号码" in hint.reason


def test_orders_without_a_signature_are_backfilled(new_order):
    order = new_order(content=LIFT)
    OrderSignature.objects.filter(order=order).delete()
    call_command("dedup-backfill", "--days", "3650", stdout=StringIO())
    assert OrderSignature.objects.get(order=order).concepts == "elevator"


def test_a_failing_detection_never_stops_a_registration(new_order, monkeypatch):
    from minhu.dedup import detect

    def broken(order):
        raise RuntimeError("detector down")

    monkeypatch.setattr(detect, "record_registration", broken)
    order = new_order(content=LIFT)
    assert order.pk and not OrderSignature.objects.filter(order=order).exists()
