"""A QR submission whose registration failed follows the same road on retry as a first
one: street leads, the building's community gets the sub-order (民呼社应), SMS once."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from minhu.intake.actions import retry_failed
from minhu.intake.models import RawIntake, RawIntakeFile, RawStatus
from minhu.notices.models import OutgoingMessage
from minhu.orders.models import WorkOrder
from minhu.orders.states import Channel, State


def jpeg() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (90, 90, 90)).save(out, "JPEG")
    return SimpleUploadedFile("门禁.jpg", out.getvalue(), content_type="image/jpeg")


def _scan_and_submit_while_registration_fails(client, building, **files):
    from minhu.portal.challenge import new_token
    from minhu.qrcodes.models import code_for

    qr = code_for(building)
    response = client.post("/m/", {"content": "单元门禁坏了一周，陌生人随意进出，很不安全。",
                                   "phone": "13905710002", "name": "周建华", "qr": qr.code,
                                   "form_token": new_token(), **files})
    assert response.status_code == 202, response.content.decode()[-1000:]
    return RawIntake.objects.get(channel=Channel.QR)


def test_a_retried_qr_request_goes_to_the_buildings_community_first(
        client, building, registration_fails_once, django_capture_on_commit_callbacks):
    raw = _scan_and_submit_while_registration_fails(client, building, photos=[jpeg()])
    assert raw.status == RawStatus.FAILED and raw.source.startswith("qr:")
    assert not WorkOrder.objects.filter(channel=Channel.QR).exists()

    with django_capture_on_commit_callbacks(execute=True):
        order, created = retry_failed(raw)
    order.refresh_from_db()
    assert created and order.channel == Channel.QR and order.place == building
    assert order.state == State.HANDLING and order.lead_unit.code == "DC01"
    assert list(order.events.order_by("seq").values_list("action", flat=True)) == [
        "register", "attach", "dispatch", "sign", "sub_dispatch"]
    sub = order.children.get()
    assert sub.lead_unit.code == "DC0101" and sub.state == State.DISPATCHED
    assert order.attachments.count() == 1
    assert RawIntakeFile.objects.get(raw=raw).attachment.order == order
    assert OutgoingMessage.objects.filter(order=order, template="order_registered").count() == 1


def test_the_community_sees_a_retried_qr_request_on_its_desk(
        city, client, building, registration_fails_once):
    raw = _scan_and_submit_while_registration_fails(client, building)
    supervisor = Client()
    supervisor.force_login(city.supervisor)
    supervisor.post(f"/intake/{raw.pk}/retry/")
    raw.refresh_from_db()
    sub = raw.order.children.get()
    from minhu.orders.access import visible_orders

    assert visible_orders(city.user("dc0101_handler")).filter(pk=sub.pk).exists()


def test_a_first_time_qr_request_is_routed_the_same_way(scan_and_submit):
    order = scan_and_submit()
    assert list(order.events.order_by("seq").values_list("action", flat=True)) == [
        "register", "dispatch", "sign", "sub_dispatch"]
    assert order.children.get().lead_unit.code == "DC0101"


@pytest.mark.parametrize("code", ["AB\x00CD", "😀😀", "<script>", "ab cd", "x" * 500])
def test_a_garbled_code_is_no_code_and_is_refused_in_chinese(client, db, code):
    from minhu.portal.challenge import new_token
    from minhu.qrcodes.models import QrCode

    assert QrCode.objects.active(code) is None
    response = client.post("/m/", {"content": "楼道灯坏了很久，晚上看不见。", "qr": code,
                                   "phone": "13905710002", "form_token": new_token()})
    assert response.status_code == 422 and "此二维码已停用" in response.content.decode()


@pytest.mark.parametrize("unit", ["abc", "1.5", "-1", "９", "9" * 30, "<script>"])
def test_a_garbled_batch_unit_is_refused_in_chinese(client, city, unit):
    from minhu.qrcodes.models import QrBatch

    client.force_login(city.user("dc0101_handler"))
    page = client.post("/qr/manage/batches/", {"unit": unit}, follow=True)
    assert page.status_code == 200 and "请选择您管辖范围内的区县、街道或社区" in \
        page.content.decode()
    assert not QrBatch.objects.exists()
