"""The citizen portal and the building codes (一码通), through a live server, on a phone.

A resident finds her compound by name, attaches a photo and submits from a 390×844 phone;
she gets the number on screen. Later she tracks it with the one-time code from her SMS
(read where operators read it, on the outgoing message's admin page: the server runs the
development SMS backend), sees the street's reply with the handler's name and phone, and
rates it from the link in the reply SMS; the link then works no more. Another resident
pins the problem on the map instead of typing a place. A community worker prints the
code of a building, generates the sheets for the whole community with a progress bar,
and a resident scans the code and submits: the request is in the community's inbox.

With MINHU_SCREENSHOTS=1 the pictures of the citizen guide (docs/guide/citizen.md and
docs/guide/qrcodes.md) are written to docs/screenshots/.
"""

import re

import pytest
from PIL import Image

from .desks import Inbox

PHONE = "13905710066"
FILL_PAUSE_MS = 3200  # the portal refuses forms sent within 3 s of loading (anti-flood)


def _no_sideways_scroll(person) -> None:
    width = person.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 391, f"{person.page.url} is {width}px wide on a 390px phone"


def _sms_text(admin, number: str, template: str) -> str:
    """The newest message of ``template`` about order ``number``, from the admin."""
    admin.opens(f"/admin/notices/outgoingmessage/?q={number}")
    row = admin.page.locator("#result_list tbody tr", has_text=template).first
    row.locator("th a, td a").first.click()
    admin.page.wait_for_load_state("load")
    return admin.page.locator(".field-text .readonly").inner_text()


def _photo(tmp_path) -> str:
    path = tmp_path / "路灯.jpg"
    Image.new("RGB", (1200, 900), (90, 120, 160)).save(path, "JPEG")
    return str(path)


def _submits(citizen, content: str, phone: str = PHONE, name: str = "") -> str:
    page = citizen.page
    page.fill("#content", content)
    page.fill("#phone", phone)
    if name:
        page.fill("#name", name)
    page.wait_for_timeout(FILL_PAUSE_MS)
    with page.expect_navigation():
        page.click("#submit-button")
    number = page.locator("#order-number").inner_text().strip()
    assert re.fullmatch(r"YZ\d{14}", number), citizen.main_text()[:500]
    return number


@pytest.fixture(scope="module")
def submitted(people_of_the_city, tmp_path_factory, screenshot_dir):
    """吴海燕 submits from her phone with a photo and a place found by name: the number."""
    citizen = people_of_the_city.open_as(None, phone=True)
    try:
        page = citizen.page
        citizen.opens("/m/")
        page.fill("#content", "翠苑小区5号楼门前路灯坏了一个多星期，晚上出入很不方便，请尽快修复。")
        page.fill("#place-q", "翠苑")
        page.locator(".pick").first.wait_for()
        first = page.locator(".pick").first
        label = first.get_attribute("data-label")
        first.click()
        assert label in page.locator("#place-chosen").inner_text()
        page.set_input_files("#photos", _photo(tmp_path_factory.mktemp("photos")))
        page.fill("#address", "5号楼南侧")
        page.fill("#name", "吴海燕")
        page.fill("#phone", PHONE)
        _no_sideways_scroll(citizen)
        citizen.screenshot(screenshot_dir / "portal-submit.png", full_page=True)
        page.wait_for_timeout(FILL_PAUSE_MS)
        with page.expect_navigation():
            page.click("#submit-button")
        number = page.locator("#order-number").inner_text().strip()
        assert "139****0066" in citizen.main_text()
        citizen.screenshot(screenshot_dir / "portal-done.png")
        return number, label
    finally:
        people_of_the_city.close_all()


def test_a_citizen_submits_with_a_photo_and_a_place_found_by_name(open_as, submitted):
    number, place = submitted
    dispatcher = open_as("dispatcher1").opens_order(number)
    text = dispatcher.person.main_text()
    assert "网站" in text and place in text and "翠苑小区5号楼门前路灯" in text
    assert "photo1.jpg" in text


def test_a_citizen_tracks_sees_the_reply_and_rates_it_from_the_sms_link(
        open_as, submitted, screenshot_dir):
    number, _ = submitted
    citizen = open_as(None, phone=True)
    page = citizen.page
    citizen.opens(f"/m/track/?n={number}")
    page.fill("#phone", PHONE)
    with page.expect_navigation():
        page.click("form button.primary")
    assert number in citizen.main_text()

    admin = open_as("admin")
    code = re.search(r"\b(\d{6})\b", _sms_text(admin, number, "portal_otp")).group(1)
    page.fill("#code", code)
    with page.expect_navigation():
        page.click("form button.primary")
    assert page.locator("#citizen-state").inner_text() == "受理"

    # The centre and the street do their part (not under test here).
    dispatcher = open_as("dispatcher1")
    dispatcher.opens("/notices/")
    dispatcher.calls_api("POST", f"/orders/{number}/dispatch", {"lead_unit": "DC01"})
    street = open_as("dc01_handler")
    street.opens("/notices/")
    street.calls_api("POST", f"/orders/{number}/sign", {"note": "已安排电工"})
    street.calls_api("POST", f"/orders/{number}/reply", {
        "text": "已更换路灯灯泡并恢复照明，后续纳入日常巡查。", "solved": True,
        "handler_name": "刘洋", "handler_phone": "0571-88001234"})

    citizen.opens(f"/m/orders/{number}/")
    assert page.locator("#citizen-state").inner_text() == "已答复"
    assert page.locator("#handler").inner_text() == "刘洋"
    assert page.locator("#handler-phone").inner_text() == "0571-88001234"
    assert "文昌街道" in page.locator("#reply-unit").inner_text()
    timeline = page.locator("#timeline").inner_text()
    assert "您的诉求已受理" in timeline and "已交由文昌街道办理" in timeline
    assert "已安排电工" not in citizen.main_text()  # the street's note is internal
    _no_sideways_scroll(citizen)
    citizen.screenshot(screenshot_dir / "portal-order.png", full_page=True)

    link = re.search(r"https?://\S+/m/rate/\S+?/", _sms_text(admin, number, "order_replied"))
    rate_path = "/m/rate/" + link.group(0).split("/m/rate/")[1]
    citizen.opens(rate_path)
    page.check("input[name=resolved][value=yes]")
    page.check("input[name=satisfaction][value=satisfied]")
    page.fill("#comment", "修得很快，谢谢！")
    citizen.screenshot(screenshot_dir / "portal-rate.png", full_page=True)
    with page.expect_navigation():
        page.click("form button.primary")
    assert "工单已办结" in page.locator("#rated").inner_text()

    citizen.opens(rate_path, status=410)
    assert "已使用或已失效" in citizen.main_text()
    citizen.opens(f"/m/orders/{number}/")
    assert page.locator("#citizen-state").inner_text() == "已办结"


def test_a_citizen_pins_the_problem_on_the_map(open_as):
    citizen = open_as(None, phone=True)
    page = citizen.page
    citizen.opens("/m/")
    page.click("#map-toggle")
    canvas = page.locator("#pin-map canvas").first
    canvas.wait_for()
    page.wait_for_timeout(300)
    box = canvas.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.locator("#place-chosen:not([hidden])").wait_for()
    chosen = page.locator("#place-chosen-text").inner_text().strip()
    assert chosen
    assert page.locator("#lat").input_value() and page.locator("#place_id").input_value()
    number = _submits(citizen, "这里的人行道地砖松动翘起，下雨天踩上去溅一身泥水。",
                      phone="13905710067")
    dispatcher = open_as("dispatcher1").opens_order(number)
    assert chosen in dispatcher.person.main_text()


def test_a_form_refused_keeps_what_was_typed(open_as):
    citizen = open_as(None, phone=True)
    page = citizen.page
    citizen.opens("/m/")
    page.fill("#content", "<script>alert(1)</script>楼下垃圾桶满了没人清")
    page.fill("#phone", "12345")
    page.wait_for_timeout(FILL_PAUSE_MS)
    with page.expect_navigation():
        page.click("#submit-button")
    assert "11 位手机号码" in citizen.main_text() and "请搜索选择地点" in citizen.main_text()
    assert page.locator("#content").input_value() == "<script>alert(1)</script>楼下垃圾桶满了没人清"


def test_a_community_prints_codes_and_a_resident_scans_one_and_submits(
        open_as, screenshot_dir):
    community = open_as("dc0101_handler")
    page = community.page
    community.opens("/qr/manage/?q=1号楼")
    row = page.locator("#places tbody tr").first
    place = row.locator("td").first.inner_text().strip()
    sheet_url = row.locator("a", has_text="打印单张").get_attribute("href")
    pdf = page.request.get(community.url(sheet_url))
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    community.opens("/qr/manage/?q=" + place)
    code = page.locator("#places tbody tr", has_text=place).first.locator(
        "td.mono").inner_text().strip()
    assert re.fullmatch(r"[2-9A-Z]{8}", code)

    # The whole community's sheets in one PDF, with a progress bar until it is ready.
    community.opens("/qr/manage/")
    community.screenshot(screenshot_dir / "qr-manage.png")
    page.select_option("#batch-unit", index=0)
    with page.expect_navigation():
        page.click("#batch-form button.primary")
    page.locator("#batch-download").wait_for()
    assert "100%" in page.locator("#progress").inner_text()
    community.screenshot(screenshot_dir / "qr-batch.png")
    download = page.request.get(community.url(
        page.locator("#batch-download").get_attribute("href")))
    assert download.ok and download.body().startswith(b"%PDF")

    resident = open_as(None, phone=True)
    resident.opens(f"/qr/{code}/")
    assert "/m/?qr=" in resident.page.url
    assert place in resident.page.locator("#place-chosen").inner_text()
    _no_sideways_scroll(resident)
    resident.screenshot(screenshot_dir / "qr-submit.png", full_page=True)
    number = _submits(resident, "楼道声控灯坏了半个月，晚上上下楼看不见，老人不敢出门。",
                      phone="13905710068", name="周建华")

    inbox = Inbox.open(open_as("dc0101_handler"))
    assert inbox.has(f"{number}-1")
