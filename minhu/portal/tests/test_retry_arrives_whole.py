"""A submission whose registration failed arrives whole when it is retried: its photos,
its number by SMS (once), exactly like a first-time submission."""

from django.test import Client

from minhu.intake.models import RawIntake, RawIntakeFile, RawStatus
from minhu.notices.models import OutgoingMessage
from minhu.orders.models import WorkOrder
from minhu.orders.states import Channel, State

from .conftest import jpeg


def _sms(order):
    return OutgoingMessage.objects.filter(order=order, template="order_registered")


def test_a_failed_submission_keeps_its_photos_and_the_retry_brings_them_to_the_order(
        city, submit_form, place, registration_fails_once, django_capture_on_commit_callbacks):
    response = submit_form(files=[jpeg(), jpeg(color=(10, 10, 200), name="第二张.png")])
    assert response.status_code == 202
    raw = RawIntake.objects.get(channel=Channel.WEB)
    assert raw.status == RawStatus.FAILED
    kept = list(RawIntakeFile.objects.filter(raw=raw))
    assert [k.name for k in kept] == ["photo1.jpg", "photo2.jpg"]
    assert all(k.attachment is None and k.content_type == "image/jpeg" for k in kept)
    assert not OutgoingMessage.objects.filter(template="order_registered").exists()

    supervisor = Client()
    supervisor.force_login(city.supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        page = supervisor.post(f"/intake/{raw.pk}/retry/", follow=True).content.decode()
    raw.refresh_from_db()
    order = raw.order
    assert raw.status == RawStatus.REGISTERED and order.number in page
    assert [a.name for a in order.attachments.order_by("pk")] == ["photo1.jpg", "photo2.jpg"]
    with order.attachments.order_by("pk").first().file.open("rb") as attached, \
            kept[0].file.open("rb") as stored:
        assert attached.read() == stored.read()  # the re-encoded bytes, not the upload
    assert [e.action for e in order.events.order_by("seq")] == ["register", "attach", "attach"]
    assert order.state == State.REGISTERED and order.channel == Channel.WEB
    assert _sms(order).count() == 1 and order.number in _sms(order).get().text
    assert "已附到工单" in supervisor.get(f"/intake/{raw.pk}/").content.decode()

    # A second retry is refused and texts nobody again.
    with django_capture_on_commit_callbacks(execute=True):
        supervisor.post(f"/intake/{raw.pk}/retry/")
    assert _sms(order).count() == 1 and order.attachments.count() == 2
    assert WorkOrder.objects.filter(channel=Channel.WEB).count() == 1


def test_a_first_time_submission_is_texted_once_and_its_photos_stay_on_the_raw_row(
        submit_form, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = submit_form(files=[jpeg()])
    assert response.status_code == 302
    order = WorkOrder.objects.get(channel=Channel.WEB)
    assert _sms(order).count() == 1 and order.attachments.count() == 1
    kept = RawIntakeFile.objects.get(raw__order=order)
    assert kept.attachment == order.attachments.get()


def test_a_refused_photo_never_reaches_the_raw_store(submit_form, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("photo.jpg", b"<script>alert(1)</script>" * 10,
                              content_type="image/jpeg")
    response = submit_form(files=[fake])
    assert response.status_code == 422 and "<script>alert" not in response.content.decode()
    assert not RawIntakeFile.objects.exists() and not RawIntake.objects.exists()
