"""A citizen submits a request on the portal: checked at the edge, stored raw first,
registered with the web channel, photos re-encoded, the number shown and sent by SMS."""

import io
import json
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from minhu.intake.models import RawIntake, RawStatus
from minhu.notices.models import OutgoingMessage
from minhu.orders.models import WorkOrder
from minhu.orders.states import Channel, State

from .conftest import jpeg


def _number_from(client):
    return client.session["minhu_portal_submitted"]


def test_a_citizen_submits_a_request_and_gets_the_number_on_screen_and_by_sms(
        client, submit_form, place):
    response = submit_form()
    assert response.status_code == 302 and response["Location"] == "/m/done/"
    number = _number_from(client)
    done = client.get("/m/done/")
    assert number in done.content.decode() and "139****0001" in done.content.decode()

    order = WorkOrder.objects.get(number=number)
    assert order.channel == Channel.WEB and order.state == State.REGISTERED
    assert order.place == place and order.community.code == "DC0101"
    assert order.address == f"{place} 东侧路口"
    assert order.citizen_name == "陈桂兰" and order.registered_by.username == "svc-portal"
    assert [e.action for e in order.events.all()] == ["register"]

    raw = RawIntake.objects.get(order=order)
    assert raw.channel == Channel.WEB and raw.status == RawStatus.REGISTERED
    assert json.loads(raw.body)["content"].startswith("小区3号楼")

    sms = OutgoingMessage.objects.get(key=f"registered:{order.pk}")
    assert sms.to == "13905710001" and number in sms.text
    assert f"https://12345.yunzhou.example/m/track/?n={number}" in sms.text


def test_the_same_form_sent_twice_makes_one_order(client, submit_form, form_token):
    token = form_token()
    submit_form(form_token=token)
    first = _number_from(client)
    submit_form(form_token=token)
    assert _number_from(client) == first
    assert WorkOrder.objects.filter(number__startswith=first[:10], channel=Channel.WEB,
                                    citizen_phone="13905710001").count() == 1


def test_photos_are_re_encoded_without_their_exif(client, submit_form):
    exif = Image.Exif()
    exif[0x010F] = "SecretPhoneMaker"  # Make
    exif[0x8825] = {2: (30.0, 15.0, 0.0)}  # GPS latitude
    photo = jpeg(exif=exif.tobytes())
    assert b"SecretPhoneMaker" in photo.read()
    photo.seek(0)
    submit_form(files=[photo, jpeg(color=(10, 10, 200), name="第二张.png")])
    order = WorkOrder.objects.get(number=_number_from(client))
    attachments = list(order.attachments.order_by("pk"))
    assert [a.name for a in attachments] == ["photo1.jpg", "photo2.jpg"]
    for a in attachments:
        data = a.file.read()
        assert data.startswith(b"\xff\xd8\xff") and b"SecretPhoneMaker" not in data
        assert not Image.open(io.BytesIO(data)).getexif()
    assert [e.action for e in order.events.order_by("seq")] == ["register", "attach", "attach"]


def test_a_location_pinned_on_the_map_resolves_the_nearest_place(client, place):
    response = client.get("/m/places/nearest/", {"lat": place.lat + 0.00001,
                                                 "lng": place.lng})
    found = response.json()["place"]
    assert found["lat"] is not None
    from minhu.org.models import Place

    assert Place.objects.get(pk=found["id"]).community.code == place.community.code


def test_the_map_backdrop_lists_the_citys_places(db, client):
    points = client.get("/m/places/map.json").json()["points"]
    assert len(points) > 50 and all(len(p) == 3 for p in points[:5])


def test_address_search_finds_places_by_name_and_alias(client, place):
    compound = place.parent
    response = client.get("/m/places/", {"q": compound.name})
    assert compound.name in response.content.decode()
    alias = compound.aliases.split(",")[0] if compound.aliases else compound.name
    assert compound.name in client.get("/m/places/", {"q": alias}).content.decode()
    assert "没有找到" in client.get("/m/places/", {"q": "火星基地"}).content.decode()


def test_a_free_text_address_is_enough_without_a_place(client, submit_form):
    submit_form(place_id="", address="文昌路与兴业街路口东北角")
    order = WorkOrder.objects.get(number=_number_from(client))
    assert order.place is None and order.address == "文昌路与兴业街路口东北角"


# --- Bad input -------------------------------------------------------------------------


def _page(response) -> str:
    return response.content.decode()


def test_an_empty_form_is_refused_with_every_problem_named(submit_form):
    response = submit_form(content="", phone="", place_id="", address="")
    page = _page(response)
    assert response.status_code == 422
    assert "请填写您要反映的问题" in page and "11 位手机号码" in page
    assert "请搜索选择地点" in page
    assert WorkOrder.objects.filter(channel=Channel.WEB).count() == 0
    assert not RawIntake.objects.filter(channel=Channel.WEB).exists()


def test_oversized_text_is_refused_and_what_was_typed_is_kept(submit_form):
    long_text = "路灯不亮" * 600
    response = submit_form(content=long_text, name="王秀英")
    page = _page(response)
    assert response.status_code == 422 and "内容过长（2400 字，最多 2000 字）" in page
    assert long_text in page and 'value="王秀英"' in page and 'value="13905710001"' in page


def test_gbk_bytes_are_refused_with_a_clear_message(client, form_token, place):
    # What a page served as GBK posts: the GBK bytes, percent-encoded.
    body = "content=" + quote("路灯坏了一周没人修理".encode("gbk"))
    body += f"&phone=13905710001&place_id={place.pk}&form_token={form_token()}"
    response = client.post("/m/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 422
    assert "含有无法识别的字符" in _page(response)
    assert not WorkOrder.objects.filter(channel=Channel.WEB).exists()


def test_emoji_heavy_text_is_accepted_as_it_is(client, submit_form):
    text = "🚧🚧🚧 路面塌陷 😱😱 小孩差点掉进去 🙏🙏🙏"
    submit_form(content=text)
    assert WorkOrder.objects.get(number=_number_from(client)).content == text


def test_script_in_the_text_is_stored_as_text_and_shown_escaped(client, submit_form):
    text = "<script>alert('x')</script>楼道灯坏了"
    response = submit_form(content=text, phone="12")  # refused: the form is shown again
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in _page(response)
    assert "<script>alert" not in _page(response)
    submit_form(content=text)
    assert WorkOrder.objects.get(number=_number_from(client)).content == text


def test_a_file_that_is_not_an_image_is_refused(submit_form):
    fake = SimpleUploadedFile("photo.jpg", b"\xff\xd8\xff" + b"MZ not really a jpeg" * 20,
                              content_type="image/jpeg")
    response = submit_form(files=[fake])
    assert response.status_code == 422 and "第 1 张照片不是可识别的图片" in _page(response)
    assert not WorkOrder.objects.filter(channel=Channel.WEB).exists()


def test_a_decompression_bomb_is_refused_before_decoding(submit_form):
    out = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(out, "PNG")  # 400 megapixels, a few kB
    bomb = SimpleUploadedFile("bomb.png", out.getvalue(), content_type="image/png")
    assert bomb.size < 200_000
    response = submit_form(files=[bomb])
    assert response.status_code == 422 and "像素过多" in _page(response)


def test_an_oversized_photo_file_is_refused(submit_form, settings):
    settings.MINHU_PORTAL_PHOTO_MAX_BYTES = 2000
    response = submit_form(files=[jpeg(size=(800, 800))])
    assert response.status_code == 422 and "过大" in _page(response)


def test_more_photos_than_allowed_are_refused(submit_form):
    response = submit_form(files=[jpeg() for _ in range(4)])
    assert response.status_code == 422 and "最多上传 3 张照片" in _page(response)


def test_a_bad_phone_number_is_refused(submit_form):
    response = submit_form(phone="1234567")
    assert response.status_code == 422 and "11 位手机号码" in _page(response)


# --- Flood protection ------------------------------------------------------------------


def test_a_form_posted_within_seconds_of_loading_is_refused(submit_form, settings):
    settings.MINHU_PORTAL_MIN_FILL_SECONDS = 3
    response = submit_form()
    assert response.status_code == 400 and "提交过快" in _page(response)
    assert "小区3号楼东侧路灯" in _page(response)  # nothing typed is lost


def test_a_form_loaded_long_ago_is_refused_but_kept(client, submit_form, at, form_token):
    with at(2026, 3, 1, 8):
        token = form_token()
    with at(2026, 3, 1, 11):
        response = submit_form(form_token=token)
    assert response.status_code == 400 and "已失效" in _page(response)
    assert "小区3号楼东侧路灯" in _page(response)


def test_a_filled_honeypot_or_a_forged_token_is_refused(submit_form):
    assert "未通过校验" in _page(submit_form(website="http://spam.example"))
    assert "页面已失效" in _page(submit_form(form_token="forged"))
    assert not WorkOrder.objects.filter(channel=Channel.WEB).exists()


def test_a_flood_from_one_phone_is_rate_limited(submit_form):
    statuses = [submit_form().status_code for _ in range(7)]
    assert statuses[:5] == [302] * 5 and statuses[5:] == [429, 429]
    assert WorkOrder.objects.filter(channel=Channel.WEB, citizen_phone="13905710001").count() == 5


def test_a_flood_from_one_address_is_rate_limited(submit_form, settings):
    settings.MINHU_PORTAL_LIMITS = {"submit_ip": (3, 3600)}
    statuses = [submit_form(phone=f"1390571000{i}").status_code for i in range(5)]
    assert statuses == [302, 302, 302, 429, 429]
    assert "操作过于频繁" in _page(submit_form(phone="13905710009"))


@pytest.mark.parametrize("path", ["/m/", "/m/track/", "/m/places/?q=%E9%94%A6"])
def test_portal_pages_render_for_anyone(db, client, path):
    assert client.get(path).status_code == 200


def test_pages_that_follow_a_step_send_a_fresh_visitor_to_its_start(client, db):
    assert client.get("/m/done/")["Location"] == "/m/"
    assert client.get("/m/track/code/")["Location"] == "/m/track/"
