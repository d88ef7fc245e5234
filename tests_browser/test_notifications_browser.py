"""A citizen's SMS, through a live server: the street replies, the platform texts the
citizen a rating link, the citizen opens the opt-out link from that SMS on a phone and
confirms, and the administrator finds both in the admin (numbers masked throughout).

The server runs with the development backend (console); the text of the SMS is read
where operators read it, on the outgoing message's admin page.
"""

import re

import pytest

CITIZEN_PHONE = "13905710077"
MASKED = "139****0077"


@pytest.fixture(scope="module")
def replied_order(people_of_the_city):
    """An order registered, dispatched to 文昌街道, signed and answered: its number."""
    people = people_of_the_city
    try:
        agent = people.open_as("agent1")
        agent.opens("/notices/")
        number = agent.calls_api("POST", "/orders", {
            "content": "小区东门路灯坏了一个多星期，晚上出入很不方便。",
            "citizen_name": "吴海燕", "citizen_phone": CITIZEN_PHONE,
            "address": "锦绣家园东门", "request_type": "help", "community": "DC0101",
            "channel": "phone"})["number"]
        dispatcher = people.open_as("dispatcher1")
        dispatcher.opens("/notices/")
        dispatcher.calls_api("POST", f"/orders/{number}/dispatch", {"lead_unit": "DC01"})
        street = people.open_as("dc01_handler")
        street.opens("/notices/")
        street.calls_api("POST", f"/orders/{number}/sign", {"note": "已安排电工"})
        street.calls_api("POST", f"/orders/{number}/reply", {
            "text": "路灯已更换灯泡并恢复照明。", "solved": True, "handler_name": "刘洋"})
    finally:
        people.close_all()
    return number


def test_a_replied_citizen_gets_an_sms_and_can_opt_out_from_its_link_on_a_phone(
        open_as, replied_order, live_city):
    admin = open_as("admin")
    admin.opens(f"/admin/notices/outgoingmessage/?q={replied_order}")
    rows = admin.page.locator("#result_list tbody tr")
    assert rows.count() == 1
    row_text = rows.first.inner_text()
    assert MASKED in row_text and "order_replied" in row_text and "已发送" in row_text
    assert CITIZEN_PHONE not in admin.page.content()

    rows.first.locator("th a, td a").first.click()
    admin.page.wait_for_load_state("load")
    text = admin.page.locator(".field-text .readonly").inner_text()
    assert replied_order in text and "文昌街道" in text and "/m/rate/" in text
    assert "回复TD退订" in text
    optout_path = re.search(r"/notify/optout/[^/\s]+/", text).group(0)

    citizen = open_as(None, phone=True)
    citizen.opens(optout_path)
    page = citizen.page
    assert MASKED in citizen.main_text() and CITIZEN_PHONE not in page.content()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1, f"the opt-out page is {width}px wide on a 390px phone"
    with page.expect_navigation():
        page.click("#optout-button")
    assert "已退订" in page.locator("#optout-done").inner_text()
    assert page.locator("#optin-button").is_visible()

    admin.opens("/admin/notices/optout/")
    listing = admin.page.locator("#result_list").inner_text()
    assert MASKED in listing and "退订链接" in listing


def test_a_forged_opt_out_link_shows_a_clear_page(open_as):
    visitor = open_as(None, phone=True)
    visitor.opens("/notify/optout/IjEzOTA1NzEwMDc3Ig:forged:signature/", status=404)
    assert "链接无效" in visitor.main_text()
