"""The grid worker's phone page: report with photos, see my reports; others are refused;
bad input answers in Chinese next to the field and registers nothing."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from minhu.intake.models import RawIntake
from minhu.orders.models import WorkOrder
from minhu.orders.states import Channel
from minhu.org.models import Place
from minhu.patrol.models import PatrolReport

WORKER = "dc010101_handler"


def signed_in(city, username):
    client = Client()
    client.force_login(city.user(username))
    return client


def photo(name="现场.jpg") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (90, 120, 60)).save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def place(city):
    return Place.objects.filter(grid__code="DC010101").order_by("pk").first()


def _form(where, **fields):
    return {"content": "3号楼前路灯不亮，晚上很黑", "category": "SZ06", "place": str(where.pk),
            "key": "5b1e0c7a2f3d4e5fa6b7c8d9e0f1a2b3", **fields}


def test_the_report_page_offers_the_workers_grid_places(city, place):
    page = signed_in(city, WORKER).get("/patrol/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "巡查上报" in html and f'value="{place.pk}"' in html
    assert 'capture="environment"' in html and "使用我的当前位置" in html
    other = Place.objects.exclude(grid__code="DC010101").exclude(community__code="DC0101").first()
    assert f'<option value="{other.pk}"' not in html


def test_a_grid_worker_reports_with_photos_and_sees_it_in_my_reports(city, place, media):
    client = signed_in(city, WORKER)
    answer = client.post("/patrol/", {**_form(place), "photos": [photo(), photo("近景.png")]})
    assert answer.status_code == 302 and answer["Location"] == "/patrol/mine/"
    report = PatrolReport.objects.get(worker__username=WORKER)
    order = WorkOrder.objects.get(pk=report.order_id)
    assert order.channel == Channel.GRID and order.attachments.count() == 2
    assert all(a.name.endswith(".jpg") for a in order.attachments.all())
    mine = client.get("/patrol/mine/").content.decode()
    assert order.number in mine and "已上报，工单编号" in mine


def test_solved_on_the_spot_from_the_page(city, place):
    client = signed_in(city, WORKER)
    answer = client.post("/patrol/", _form(place, solved_on_spot="1",
                                           note="已通知物业更换灯泡，现已恢复照明"))
    assert answer.status_code == 302
    mine = client.get("/patrol/mine/").content.decode()
    assert "现场处置" in mine and "已办结" in mine


@pytest.mark.parametrize("username", ["agent1", "dc01_handler", "cgj_handler"])
def test_others_get_a_clear_refusal(city, username):
    page = signed_in(city, username).get("/patrol/")
    assert page.status_code == 403
    assert "只有网格员和社区工作人员可以上报" in page.content.decode()


def test_a_visitor_is_sent_to_log_in():
    answer = Client().get("/patrol/")
    assert answer.status_code == 302 and "/login/" in answer["Location"]


@pytest.mark.parametrize(("fields", "field_text"), [
    ({"content": ""}, "请描述发现的问题"),
    ({"content": "井盖" * 1001}, "问题描述过长"),
    ({"category": ""}, "请选择问题分类"),
    ({"category": "<script>"}, "请从列表中选择问题分类"),
    ({"place": ""}, "请选择地点"),
    ({"place": "here", "lat": "", "lng": ""}, "未能取得当前位置"),
    ({"content": "路灯\x00不亮"}, "无法识别的字符"),
    ({"content": "路灯不亮\ufffd\ufffd"}, "无法识别的字符"),
])
def test_bad_input_is_explained_and_nothing_is_registered(city, place, fields, field_text):
    page = signed_in(city, WORKER).post("/patrol/", _form(place, **fields))
    assert page.status_code == 422
    assert field_text in page.content.decode()
    assert not PatrolReport.objects.filter(worker__username=WORKER).exists()
    assert not RawIntake.objects.filter(channel=Channel.GRID).exists()


def test_gbk_bytes_in_the_description_are_refused(city, place):
    body = "路灯不亮".encode("gbk").decode("utf-8", errors="replace")
    page = signed_in(city, WORKER).post("/patrol/", _form(place, content=body))
    assert page.status_code == 422 and "编码" in page.content.decode()


def test_emoji_and_script_are_kept_as_text(city, place):
    content = "🚧🚧 井盖没了 <script>alert('x')</script> 😱"
    client = signed_in(city, WORKER)
    assert client.post("/patrol/", _form(place, content=content)).status_code == 302
    order = PatrolReport.objects.get(worker__username=WORKER).order
    assert order.content == content
    mine = client.get("/patrol/mine/").content.decode()
    assert "<script>alert" not in mine and "&lt;script&gt;" in mine


def test_a_non_image_photo_is_refused_next_to_the_photos(city, place):
    fake = SimpleUploadedFile("现场.jpg", b"<?php system($_GET['c']); ?>",
                              content_type="image/jpeg")
    page = signed_in(city, WORKER).post("/patrol/", {**_form(place), "photos": [fake]})
    assert page.status_code == 422
    assert "第 1 张照片已损坏或不是图片" in page.content.decode()
    assert not PatrolReport.objects.exists()


def test_too_many_photos_are_refused(city, place, settings):
    settings.MINHU_PATROL_MAX_PHOTOS = 2
    page = signed_in(city, WORKER).post(
        "/patrol/", {**_form(place), "photos": [photo(), photo(), photo()]})
    assert page.status_code == 422 and "最多上传 2 张照片" in page.content.decode()


def test_my_reports_show_only_my_own(city, place):
    signed_in(city, WORKER).post("/patrol/", _form(place))
    other = signed_in(city, "dc0101_handler").get("/patrol/mine/").content.decode()
    number = PatrolReport.objects.get(worker__username=WORKER).order.number
    assert number not in other and "还没有上报记录" in other


def test_the_category_search_finds_by_colloquial_words(city):
    client = signed_in(city, WORKER)
    found = client.get("/patrol/categories/", {"category_q": "路灯"}).content.decode()
    assert 'value="SZ06"' in found
    nothing = client.get("/patrol/categories/", {"category_q": "<script>"}).content.decode()
    assert "没有匹配的分类" in nothing and "<script>" not in nothing
