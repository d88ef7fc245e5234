"""Grid workers report what they find on patrol: stored raw, registered with channel GRID,
routed to their own street when the responsibility list says so, or closed on the spot."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from minhu.intake.models import RawIntake, RawStatus
from minhu.orders.models import TimelineEvent, WorkOrder
from minhu.orders.states import Channel, State
from minhu.org.models import Place
from minhu.patrol.actions import PatrolInput, do_patrol_report
from minhu.patrol.models import PatrolReport
from minhu.patrol.photos import clean_photo

WORKER = "dc010101_handler"  # 杨磊, grid DC010101


def jpeg(size=(800, 600), exif_gps=False) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, (120, 160, 200))
    if exif_gps:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"  # camera make: must not survive the re-encoding
        image.save(out, "JPEG", exif=exif)
    else:
        image.save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def grid_place(city):
    place = Place.objects.filter(grid__code="DC010101").order_by("pk").first()
    assert place is not None, "the demo grid DC010101 has places"
    return place


@pytest.fixture
def worker(city):
    return city.user(WORKER)


def _events(order):
    return list(TimelineEvent.objects.filter(order=order).order_by("seq")
                .values_list("action", flat=True))


def test_grid_worker_report_is_registered_as_a_proactive_grid_order(worker, grid_place, media):
    report = do_patrol_report(worker, PatrolInput(
        content="3号楼东侧井盖松动，车辆经过有响声", category="CG08", place_id=grid_place.pk),
        [clean_photo(SimpleUploadedFile("井盖.jpg", jpeg()))])
    order = WorkOrder.objects.get(pk=report.order_id)
    assert order.channel == Channel.GRID
    assert order.grid.code == "DC010101" and order.community.code == "DC0101"
    assert order.registered_by.username == "svc-patrol"
    assert report.worker == worker and report.grid.code == "DC010101"
    assert order.attachments.count() == 1
    raw = RawIntake.objects.get(pk=report.raw_id)
    assert raw.channel == Channel.GRID and raw.status == RawStatus.REGISTERED
    assert raw.order_id == order.pk and "井盖松动" in raw.body
    assert _events(order)[:2] == ["register", "attach"]


def test_a_territorial_matter_goes_straight_to_the_workers_own_street(worker, grid_place, media):
    report = do_patrol_report(worker, PatrolInput(
        content="小区东门垃圾桶满溢，垃圾散落一地", category="CG04", place_id=grid_place.pk))
    order = WorkOrder.objects.get(pk=report.order_id)
    assert order.state == State.DISPATCHED
    assert order.lead_unit.code == "DC01"
    assert "dispatch" in _events(order)
    assert report.dispatch_note.startswith("已按权责清单派至文昌街道")
    dispatched = TimelineEvent.objects.get(order=order, action="dispatch")
    assert dispatched.actor.username == "svc-patrol" and "网格员主动发现" in dispatched.note


def test_a_functional_matter_waits_in_the_dispatch_pool_with_the_reason(worker, grid_place):
    report = do_patrol_report(worker, PatrolInput(
        content="小区里自来水管爆裂，水一直往外冒", category="SZ01", place_id=grid_place.pk))
    order = WorkOrder.objects.get(pk=report.order_id)
    assert order.state == State.REGISTERED and order.lead_unit is None
    assert "派单池" in report.dispatch_note


def test_a_district_bureau_matter_also_waits_for_the_dispatcher(worker, grid_place):
    # In 东城区 street vending is the district bureau's (an area override of the list).
    report = do_patrol_report(worker, PatrolInput(
        content="小区门口有流动摊贩占道经营", category="CG02", place_id=grid_place.pk))
    assert report.order.state == State.REGISTERED
    assert "东城区城市管理局" in report.dispatch_note


def test_solved_on_the_spot_is_closed_with_the_workers_note_and_still_counted(
        worker, grid_place):
    report = do_patrol_report(worker, PatrolInput(
        content="楼道里堆放的杂物堵住了消防通道", category="CG04", place_id=grid_place.pk,
        solved_on_spot=True, note="已联系住户当场清理，通道已畅通"))
    order = WorkOrder.objects.get(pk=report.order_id)
    assert order.state == State.CLOSED and order.channel == Channel.GRID
    assert order.reply_text == "已联系住户当场清理，通道已畅通"
    assert order.reply_unit.code == "DC010101" and order.reply_handler == "杨磊"
    assert _events(order) == ["register", "close_on_spot"]
    last = TimelineEvent.objects.filter(order=order).order_by("-seq").first()
    assert last.to_state == State.CLOSED and last.target_unit.code == "DC010101"
    assert last.note.startswith("杨磊（") and "已联系住户当场清理" in last.note
    assert last.data["worker"] == WORKER
    assert report.solved_on_spot


def test_solved_on_the_spot_needs_a_note(worker, grid_place):
    from minhu.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as refused:
        do_patrol_report(worker, PatrolInput(content="路灯不亮", category="SZ06",
                                             place_id=grid_place.pk, solved_on_spot=True))
    assert refused.value.code == "missing_note"
    assert not PatrolReport.objects.filter(worker=worker).exists()


def test_the_same_form_sent_twice_gives_one_order(worker, grid_place):
    data = PatrolInput(content="共享单车堆在盲道上", category="CG09", place_id=grid_place.pk,
                       key="0f3c2a4e9b8d4c1fa2b3c4d5e6f70819")
    first = do_patrol_report(worker, data)
    again = do_patrol_report(worker, data)
    assert again.pk == first.pk
    assert WorkOrder.objects.filter(external_refs__external_id=f"patrol-{data.key}").count() == 1


def test_a_place_outside_the_workers_grid_is_refused(worker):
    from minhu.core.errors import ValidationFailed

    elsewhere = Place.objects.exclude(grid__code="DC010101").first()
    with pytest.raises(ValidationFailed) as refused:
        do_patrol_report(worker, PatrolInput(content="垃圾满溢", category="CG04",
                                             place_id=elsewhere.pk))
    assert refused.value.code == "unknown_place"


def test_current_location_is_accepted_with_the_workers_grid_as_jurisdiction(worker):
    report = do_patrol_report(worker, PatrolInput(
        content="路边大树倒伏挡住人行道", category="CG07", lat=30.2741, lng=120.1551,
        address="文昌路东段"))
    order = WorkOrder.objects.get(pk=report.order_id)
    assert order.grid.code == "DC010101" and order.lat == pytest.approx(30.2741)
    assert order.address == "文昌路东段"


@pytest.mark.parametrize("username", ["agent1", "dc01_handler", "cgj_handler", "leader1"])
def test_only_grid_and_community_staff_may_report(city, username):
    from minhu.core.errors import Forbidden

    with pytest.raises(Forbidden) as refused:
        do_patrol_report(city.user(username), PatrolInput(content="x", category="CG04"))
    assert refused.value.code == "not_grid_staff"
    assert "网格员" in refused.value.message


def test_community_staff_may_report_from_any_place_of_their_community(city):
    place = Place.objects.filter(community__code="DC0101").exclude(
        grid__code="DC010101").first()
    report = do_patrol_report(city.user("dc0101_handler"), PatrolInput(
        content="小区健身器材损坏", category="CG04", place_id=place.pk))
    assert report.order.community.code == "DC0101"
    assert report.unit.code == "DC0101"


# --- Photos -------------------------------------------------------------------------------


def test_photos_are_re_encoded_without_their_exif():
    cleaned = clean_photo(SimpleUploadedFile("现场.jpg", jpeg(exif_gps=True)))
    image = Image.open(io.BytesIO(cleaned.read()))
    assert image.format == "JPEG"
    assert 0x010F not in image.getexif()


def test_a_big_photo_is_shrunk_to_a_sensible_size():
    cleaned = clean_photo(SimpleUploadedFile("大图.jpg", jpeg(size=(4000, 3000))))
    assert max(Image.open(io.BytesIO(cleaned.read())).size) == 2048


@pytest.mark.parametrize(("name", "body", "code"), [
    ("脚本.jpg", b"<script>alert(1)</script>", "bad_file_content"),
    ("病毒.exe", b"MZ\x90\x00", "bad_file_type"),
    ("空.jpg", b"", "empty_file"),
    ("假图.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "bad_file_content"),
])
def test_bad_photos_are_refused_with_a_clear_reason(name, body, code):
    from minhu.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as refused:
        clean_photo(SimpleUploadedFile(name, body))
    assert refused.value.code == code


def test_an_oversized_photo_is_refused(settings):
    from minhu.core.errors import ValidationFailed

    settings.MINHU_PATROL_PHOTO_MAX_BYTES = 10_000
    with pytest.raises(ValidationFailed) as refused:
        clean_photo(SimpleUploadedFile("大.jpg", jpeg(size=(1600, 1200)) + b"\x00" * 20_000))
    assert refused.value.code == "file_too_large"


def test_a_report_whose_registration_failed_is_kept_and_can_be_retried(
        city, worker, grid_place, monkeypatch):
    from django.test import Client

    from minhu.intake import actions as intake_actions
    from minhu.intake.actions import retry_failed

    def broken(*args, **kwargs):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(intake_actions, "do_register", broken)
    with pytest.raises(RuntimeError):
        do_patrol_report(worker, PatrolInput(content="路边护栏倒了", category="SZ06",
                                             place_id=grid_place.pk))
    report = PatrolReport.objects.get(worker=worker)
    raw = RawIntake.objects.get(pk=report.raw_id)
    assert report.order is None and raw.status == RawStatus.FAILED
    client = Client()
    client.force_login(worker)
    assert "登记未成功，已转人工处理" in client.get("/patrol/mine/").content.decode()

    monkeypatch.undo()
    order, created = retry_failed(raw)
    assert created and order.channel == Channel.GRID and order.content == "路边护栏倒了"
    assert order.number in client.get("/patrol/mine/").content.decode()
    assert PatrolReport.objects.get(pk=report.pk).order_id == order.pk
