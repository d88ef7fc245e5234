"""Files that came with a payload are kept with the raw row from the start (on disk, not
in the database) and attached to the order once it is registered, first time or retry."""

import io

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from PIL import Image

from minhu.intake import actions
from minhu.intake.actions import receive, register_from, retry_failed, service_account
from minhu.intake.models import RawIntakeFile, RawStatus
from minhu.orders.actions import Intake
from minhu.orders.states import Channel


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def photo(name="现场.jpg", color=(30, 120, 60)) -> ContentFile:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), color).save(out, "JPEG")
    return ContentFile(out.getvalue(), name=name)


def _intake(external_id="F-1"):
    return Intake(content="路灯不亮，晚上很黑", channel=Channel.PARTNER, community="DC0101",
                  external_id=external_id)


def _partner():
    return service_account("svc-test-files", "测试渠道")


def test_a_payloads_photos_are_kept_on_disk_before_any_registration(city):
    sent = photo()
    raw = receive(Channel.PARTNER, body='{"content": "路灯不亮"}', source="test",
                  files=[sent])
    kept = RawIntakeFile.objects.get(raw=raw)
    assert kept.name == "现场.jpg" and kept.content_type == "image/jpeg"
    assert kept.size == sent.size and kept.attachment is None
    with kept.file.open("rb") as stored:
        assert stored.read() == sent.file.getvalue()
    assert kept.file.name.startswith("intake/") and "现场" not in kept.file.name
    assert raw.status == RawStatus.RECEIVED and raw.meta["files"] == 1


def test_registration_attaches_the_kept_photos_to_the_new_order_once(city):
    raw = receive(Channel.PARTNER, body="{}", source="test", external_id="F-1",
                  files=[photo("一.jpg"), photo("二.jpg", (200, 10, 10))])
    order, created = register_from(raw, _partner(), _intake())
    assert created
    assert sorted(order.attachments.values_list("name", flat=True)) == ["一.jpg", "二.jpg"]
    assert list(order.events.order_by("seq").values_list("action", flat=True)) == [
        "register", "attach", "attach"]
    assert not RawIntakeFile.objects.filter(raw=raw, attachment__isnull=True).exists()

    again = receive(Channel.PARTNER, body="{}", source="test", external_id="F-1",
                    files=[photo("一.jpg")])
    same, created = register_from(again, _partner(), _intake())
    assert same == order and not created
    assert order.attachments.count() == 2  # a duplicate adds no second copy


def test_a_failed_registration_keeps_the_photos_for_the_retry(city, monkeypatch):
    raw = receive(Channel.PARTNER, body="路灯不亮", source="test", external_id="F-2",
                  files=[photo()])

    def broken(*args, **kwargs):
        raise RuntimeError("database hiccup")

    with monkeypatch.context() as patch:
        patch.setattr(actions, "do_register", broken)
        with pytest.raises(RuntimeError):
            register_from(raw, _partner(), _intake("F-2"))
    raw.refresh_from_db()
    assert raw.status == RawStatus.FAILED and RawIntakeFile.objects.filter(raw=raw).count() == 1
    followed = []
    monkeypatch.setitem(actions.PARSERS, Channel.PARTNER, lambda r: (
        _partner(), _intake("F-2"), {}))
    monkeypatch.setitem(actions.FOLLOW_UPS, Channel.PARTNER,
                        lambda r, order, actor: followed.append(order.pk))
    order, created = retry_failed(raw)
    assert created and order.attachments.count() == 1 and followed == [order.pk]
    assert RawIntakeFile.objects.get(raw=raw).attachment.order == order


def test_inspectors_see_the_kept_photos_on_the_raw_record_and_nobody_else_does(city):
    sent = photo()
    raw = receive(Channel.PARTNER, body="{}", source="test", files=[sent])
    kept = RawIntakeFile.objects.get(raw=raw)
    supervisor = Client()
    supervisor.force_login(city.supervisor)
    page = supervisor.get(f"/intake/{raw.pk}/").content.decode()
    assert f"/intake/{raw.pk}/files/{kept.pk}/" in page and "尚未附到工单" in page
    image = supervisor.get(f"/intake/{raw.pk}/files/{kept.pk}/")
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    assert b"".join(image.streaming_content) == sent.file.getvalue()
    assert image["X-Content-Type-Options"] == "nosniff"
    assert supervisor.get(f"/intake/{raw.pk}/files/{kept.pk + 999}/").status_code == 404
    agent = Client()
    agent.force_login(city.agent)
    assert agent.get(f"/intake/{raw.pk}/files/{kept.pk}/").status_code == 403
    assert Client().get(f"/intake/{raw.pk}/files/{kept.pk}/").status_code == 302  # sign in


def test_hostile_file_names_and_types_are_kept_harmless(city):
    script = ContentFile(b"<svg onload=alert(1)>", name="<img src=x onerror=alert(1)>😀\x00.svg")
    script.content_type = "image/svg+xml"
    empty = ContentFile(b"", name="空.jpg")
    raw = receive(Channel.PARTNER, body="{}", source="test", external_id="F-3",
                  files=[script, empty])
    hostile, blank = RawIntakeFile.objects.filter(raw=raw)
    assert "\x00" not in hostile.name and hostile.file.name.endswith(f"raw{raw.pk}-1.svg")
    supervisor = Client()
    supervisor.force_login(city.supervisor)
    page = supervisor.get(f"/intake/{raw.pk}/").content.decode()
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;😀" in page
    served = supervisor.get(f"/intake/{raw.pk}/files/{hostile.pk}/")
    assert served["Content-Type"] == "application/octet-stream"
    assert served["Content-Disposition"].startswith("attachment")
    # Registration goes on when a kept file is refused as an attachment; the file stays.
    order, created = register_from(raw, _partner(), _intake("F-3"))
    assert created and order.attachments.count() == 0
    assert RawIntakeFile.objects.filter(raw=raw, attachment__isnull=True).count() == 2
