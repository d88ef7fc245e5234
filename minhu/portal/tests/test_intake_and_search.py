"""What the portal leaves behind for operators: raw rows that can be retried, a place
search that never breaks on odd input, admin pages that never show a code."""

from unittest import mock

from minhu.intake.actions import retry_failed
from minhu.intake.models import RawIntake, RawStatus
from minhu.notices.models import OutgoingMessage
from minhu.orders.models import WorkOrder
from minhu.orders.states import Channel


def test_a_submission_that_failed_to_register_is_kept_and_can_be_retried(
        client, submit_form, place, django_capture_on_commit_callbacks):
    with mock.patch("minhu.intake.actions.do_register", side_effect=RuntimeError("db down")):
        response = submit_form()
    assert response.status_code == 202 and "工单编号将以短信发送至 139****0001" in \
        response.content.decode()
    raw = RawIntake.objects.get(channel=Channel.WEB)
    assert raw.status == RawStatus.FAILED and "小区3号楼" in raw.body
    assert not WorkOrder.objects.filter(channel=Channel.WEB).exists()

    with django_capture_on_commit_callbacks(execute=True):
        order, created = retry_failed(raw)
    assert created and order.channel == Channel.WEB and order.place == place
    assert order.citizen_phone == "13905710001" and order.address.startswith(str(place))
    raw.refresh_from_db()
    assert raw.status == RawStatus.REGISTERED and raw.order == order
    sms = OutgoingMessage.objects.get(key=f"registered:{order.pk}")
    assert order.number in sms.text  # the citizen learns the number after the retry


def test_place_search_shrugs_off_odd_input(client, db):
    for words in ("<script>alert(1)</script>", "锦\ufffd绣", "🏠🏠🏠", "x" * 500, ""):
        response = client.get("/m/places/", {"q": words})
        assert response.status_code == 200
        assert "<script>alert" not in response.content.decode()


def test_a_pin_far_from_any_place_or_off_the_globe_is_answered_clearly(client, db):
    assert client.get("/m/places/nearest/", {"lat": "91", "lng": "0"}).status_code == 400
    assert client.get("/m/places/nearest/", {"lat": "abc"}).status_code == 400
    far = client.get("/m/places/nearest/", {"lat": "-45", "lng": "-120"})
    assert far.status_code == 404 and "附近没有已登记的地点" in far.json()["message"]


def test_the_admin_lists_codes_asked_for_without_the_codes(client, city, new_order):
    from minhu.portal.track import issue_code

    order = new_order()
    issue_code(order)
    client.force_login(city.user("admin"))
    page = client.get("/admin/portal/trackcode/").content.decode()
    assert order.number in page
    assert client.get("/admin/qrcodes/qrcode/").status_code == 200
