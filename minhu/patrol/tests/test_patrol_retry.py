"""A patrol report whose registration failed arrives whole on retry: its photos, the
worker's report linked to the order, and the same routing (own street, pool, or closed on
the spot) as a first-time report."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from minhu.intake.actions import retry_failed
from minhu.intake.models import RawIntake, RawIntakeFile, RawStatus
from minhu.orders.states import Channel, State
from minhu.org.models import Place
from minhu.patrol.actions import PatrolInput, do_patrol_report
from minhu.patrol.models import PatrolReport
from minhu.patrol.photos import clean_photo


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def worker(city):
    return city.user("dc010101_handler")  # 杨磊, grid DC010101


@pytest.fixture
def grid_place(city):
    return Place.objects.filter(grid__code="DC010101").order_by("pk").first()


def photo(name: str) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (800, 600), (120, 160, 200)).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue())


def _report_failing(worker, place, **fields):
    photos = [clean_photo(photo("井盖.jpg"), 1), clean_photo(photo("近景.png"), 2)]
    with pytest.raises(RuntimeError):
        do_patrol_report(worker, PatrolInput(place_id=place.pk, **fields), photos)
    report = PatrolReport.objects.get(worker=worker)
    raw = RawIntake.objects.get(pk=report.raw_id)
    assert report.order is None and raw.status == RawStatus.FAILED
    assert RawIntakeFile.objects.filter(raw=raw).count() == 2
    return report, raw


def _actions(order):
    return list(order.events.order_by("seq").values_list("action", flat=True))


def test_a_retried_territorial_report_gets_its_photos_and_goes_to_the_own_street(
        worker, grid_place, registration_fails_once):
    report, raw = _report_failing(worker, grid_place, content="小区东门垃圾桶满溢，垃圾散落一地",
                                  category="CG04")
    order, created = retry_failed(raw)
    order.refresh_from_db()
    report.refresh_from_db()
    assert created and order.channel == Channel.GRID
    assert order.state == State.DISPATCHED and order.lead_unit.code == "DC01"
    assert _actions(order)[:4] == ["register", "attach", "attach", "dispatch"]
    assert sorted(order.attachments.values_list("name", flat=True)) == [
        "巡查照片1.jpg", "巡查照片2.jpg"]
    assert report.order == order and report.grid.code == "DC010101"
    assert report.dispatch_note.startswith("已按权责清单派至文昌街道")

    client = Client()
    client.force_login(worker)
    page = client.get("/patrol/mine/").content.decode()
    assert order.number in page and "登记未成功" not in page


def test_a_retried_functional_report_waits_in_the_pool_as_a_first_time_one_would(
        worker, grid_place, registration_fails_once):
    report, raw = _report_failing(worker, grid_place, content="小区里自来水管爆裂，水一直往外冒",
                                  category="SZ01")
    order, _ = retry_failed(raw)
    report.refresh_from_db()
    assert order.state == State.REGISTERED and order.lead_unit is None
    assert order.attachments.count() == 2 and "派单池" in report.dispatch_note


def test_a_retried_report_solved_on_the_spot_is_closed_with_its_photos(
        worker, grid_place, registration_fails_once):
    report, raw = _report_failing(worker, grid_place, content="楼道杂物堵住了消防通道",
                                  category="CG04", solved_on_spot=True,
                                  note="已联系住户当场清理，通道已畅通")
    order, _ = retry_failed(raw)
    order.refresh_from_db()
    assert order.state == State.CLOSED and order.reply_handler == "杨磊"
    assert _actions(order) == ["register", "attach", "attach", "close_on_spot"]
    assert PatrolReport.objects.get(pk=report.pk).order == order


def test_a_report_row_lost_with_the_first_attempt_is_made_on_retry(
        worker, grid_place, registration_fails_once):
    report, raw = _report_failing(worker, grid_place, content="路边护栏倒了，行人要绕行",
                                  category="SZ06")
    PatrolReport.objects.filter(pk=report.pk).delete()  # the process died before writing it
    order, _ = retry_failed(raw)
    again = PatrolReport.objects.get(raw=raw)
    assert again.worker == worker and again.order == order and again.unit.code == "DC010101"
    assert again.photo_count == 2 and again.created_at == raw.received_at


def test_a_first_time_report_attaches_photos_from_the_raw_row(worker, grid_place):
    report = do_patrol_report(worker, PatrolInput(
        content="3号楼东侧井盖松动", category="CG08", place_id=grid_place.pk),
        [clean_photo(photo("井盖.jpg"))])
    kept = RawIntakeFile.objects.get(raw_id=report.raw_id)
    assert kept.attachment.order_id == report.order_id
