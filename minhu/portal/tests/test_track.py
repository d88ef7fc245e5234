"""A citizen tracks an order with its number and phone: a one-time code by SMS, then the
order in plain words: state, timeline, reply, handler and contact; reopen in the window."""

import re

import pytest

from minhu.notices.models import OutgoingMessage
from minhu.orders.actions import (
    do_callback,
    do_dispatch,
    do_reply,
    do_sign,
)
from minhu.orders.states import State
from minhu.portal.models import TrackCode

PHONE = "13812345678"  # the new_order fixture's citizen


def _code_sent_to(phone: str) -> str:
    sms = OutgoingMessage.objects.filter(to=phone, template="portal_otp").order_by("-pk").first()
    return re.search(r"\d{6}", sms.text).group(0)


def _ask_code(client, number, phone=PHONE):
    return client.post("/m/track/", {"number": number, "phone": phone})


def _track(client, number, phone=PHONE):
    _ask_code(client, number, phone)
    return client.post("/m/track/code/", {"code": _code_sent_to(phone)})


@pytest.fixture
def replied_order(city, new_order):
    order = new_order(citizen_name="张晓梅")
    order = do_dispatch(order, city.dispatcher, city.unit("DC01").pk,
                        note="内部备注：该店主曾多次被投诉")
    order = do_sign(order, city.street_handler)
    return do_reply(order, city.street_handler, "已约谈店主，油烟净化器三日内安装到位。",
                    solved=True, handler_name="张伟", handler_phone="0571-88001234")


def test_a_citizen_reads_the_reply_handler_and_contact_after_the_code(client, replied_order):
    response = _ask_code(client, replied_order.number)
    assert response.status_code == 302 and response["Location"] == "/m/track/code/"
    code_row = TrackCode.objects.get(order=replied_order)
    assert len(code_row.code_hash) == 64
    assert _code_sent_to(PHONE) not in code_row.code_hash  # only a keyed hash is kept

    response = client.post("/m/track/code/", {"code": _code_sent_to(PHONE)})
    assert response["Location"] == f"/m/orders/{replied_order.number}/"
    page = client.get(response["Location"]).content.decode()
    assert 'id="citizen-state">已答复<' in page
    assert "已约谈店主" in page and "张伟" in page and "0571-88001234" in page
    assert "文昌街道" in page or replied_order.reply_unit.name in page
    assert "已交由" in page and "承办单位已答复" in page
    assert "内部备注" not in page and "dc01_handler" not in page
    assert "张**" in page and "138****5678" in page


def test_the_page_never_tells_whether_a_number_and_phone_match(client, replied_order):
    wrong = _ask_code(client, replied_order.number, phone="13900000000")
    right = _ask_code(client, replied_order.number)
    assert wrong.status_code == right.status_code == 302
    assert wrong["Location"] == right["Location"]
    assert not OutgoingMessage.objects.filter(to="13900000000").exists()


def test_an_order_is_not_shown_without_a_verified_code(client, replied_order):
    response = client.get(f"/m/orders/{replied_order.number}/")
    assert response.status_code == 302 and response["Location"].startswith("/m/track/")


def test_wrong_codes_are_counted_and_the_code_dies_after_five(client, replied_order):
    _ask_code(client, replied_order.number)
    good = _code_sent_to(PHONE)
    bad = f"{(int(good) + 1) % 10**6:06d}"
    messages = [client.post("/m/track/code/", {"code": bad}).content.decode()
                for _ in range(5)]
    assert "还可以再试 4 次" in messages[0] and "还可以再试 1 次" in messages[3]
    assert "错误次数过多" in messages[4]
    response = client.post("/m/track/code/", {"code": good})
    assert response.status_code == 422 and "错误次数过多" in response.content.decode()
    assert TrackCode.objects.get(order=replied_order).attempts == 5


def test_a_fresh_browser_cannot_go_on_guessing_a_dead_code(client, replied_order):
    _ask_code(client, replied_order.number)
    for _ in range(5):
        client.post("/m/track/code/", {"code": "000000"})
    # Another browser (no resend within the pause: the dead code stays the newest).
    other = client.__class__()
    other.post("/m/track/", {"number": replied_order.number, "phone": PHONE})
    response = other.post("/m/track/code/", {"code": _code_sent_to(PHONE)})
    assert response.status_code == 422 and "错误次数过多" in response.content.decode()


def test_a_wrong_pair_and_a_wrong_code_read_the_same(client, replied_order):
    guesser = client.__class__()
    guesser.post("/m/track/", {"number": replied_order.number, "phone": "13900000000"})
    made_up = guesser.post("/m/track/code/", {"code": "123456"}).content.decode()
    _ask_code(client, replied_order.number)
    real = client.post("/m/track/code/", {"code": "000000" if _code_sent_to(PHONE) != "000000"
                                          else "111111"}).content.decode()

    def message(page):
        return re.search(r'id="code-message">([^<]*)<', page).group(1)

    assert message(made_up) == message(real) == "验证码不正确或已过期，还可以再试 4 次"


def test_an_expired_code_is_refused(client, replied_order, at):
    with at(2026, 3, 2, 9, 0):
        _ask_code(client, replied_order.number)
    with at(2026, 3, 2, 9, 11):
        response = client.post("/m/track/code/", {"code": _code_sent_to(PHONE)})
    assert response.status_code == 422 and "验证码不正确或已过期" in response.content.decode()
    assert TrackCode.objects.get(order=replied_order).used_at is None  # refused, not used


def test_a_code_works_once(client, replied_order):
    _track(client, replied_order.number)
    other = client.__class__()
    other.post("/m/track/", {"number": replied_order.number, "phone": PHONE})
    # The second browser asked for its own code within the resend pause: none was sent,
    # and the first code is already used.
    response = other.post("/m/track/code/", {"code": _code_sent_to(PHONE)})
    assert response.status_code == 422


def test_asking_for_codes_in_a_loop_is_rate_limited(client, replied_order):
    statuses = [_ask_code(client, replied_order.number).status_code for _ in range(6)]
    assert statuses[:5] == [302] * 5 and statuses[5] == 429
    assert TrackCode.objects.filter(order=replied_order).count() == 1  # resend pause


def test_sub_orders_cannot_be_tracked(client, city, new_order):
    from minhu.orders.actions import do_sub_dispatch

    order = do_sign(do_dispatch(new_order(), city.dispatcher, city.unit("DC01").pk),
                    city.street_handler)
    child = do_sub_dispatch(order, city.street_handler, city.unit("DC0101").pk, "请社区核实")
    _ask_code(client, child.number)
    assert not TrackCode.objects.filter(order=child).exists()


def test_the_citizen_states_are_the_four_plain_words(city, new_order):
    from minhu.portal.citizen import citizen_state

    order = new_order()
    assert citizen_state(order) == "受理"
    order = do_dispatch(order, city.dispatcher, city.unit("DC01").pk)
    assert citizen_state(order) == "办理中"
    order = do_reply(do_sign(order, city.street_handler), city.street_handler, "已处理",
                     solved=True)
    assert citizen_state(order) == "已答复"
    order = do_callback(order, city.callback_agent, reached=True, resolved="yes",
                        satisfaction="satisfied")
    assert citizen_state(order) == "已办结"


# --- Reopen ----------------------------------------------------------------------------


def _closed(city, order):
    return do_callback(order, city.callback_agent, reached=True, resolved="yes",
                       satisfaction="basic")


def test_a_citizen_reopens_a_closed_order_within_the_window(client, city, replied_order, at):
    with at(2026, 3, 2, 10):
        order = _closed(city, replied_order)
    with at(2026, 3, 5, 10):
        _track(client, order.number)
        page = client.get(f"/m/orders/{order.number}/").content.decode()
        assert "申请重办" in page
        response = client.post(f"/m/orders/{order.number}/reopen/",
                               {"reason": "油烟净化器装了但没开，晚上依旧呛人"})
    order.refresh_from_db()
    assert response.status_code == 200 and "已提交重办申请" in response.content.decode()
    assert order.state == State.DISPATCHED and order.reopen_count == 1
    last = order.events.order_by("-seq").first()
    assert last.action == "citizen_reopen" and last.actor.username == "svc-portal"


def test_after_the_window_the_citizen_is_told_clearly(client, city, replied_order, at):
    with at(2026, 3, 2, 10):
        order = _closed(city, replied_order)
    with at(2026, 3, 20, 10):
        _track(client, order.number)
        page = client.get(f"/m/orders/{order.number}/").content.decode()
        assert "已超过办结后申请重办的期限" in page and "申请重办</button>" not in page
        response = client.post(f"/m/orders/{order.number}/reopen/", {"reason": "仍未解决"})
    assert response.status_code == 422 and "已超过办结后 7 天" in response.content.decode()
    order.refresh_from_db()
    assert order.state == State.CLOSED


def test_reopen_without_a_reason_is_refused(client, city, replied_order):
    order = _closed(city, replied_order)
    _track(client, order.number)
    response = client.post(f"/m/orders/{order.number}/reopen/", {"reason": "  "})
    assert response.status_code == 422 and "请填写重办理由" in response.content.decode()


def test_reopen_needs_a_verified_code(client, city, replied_order):
    order = _closed(city, replied_order)
    response = client.post(f"/m/orders/{order.number}/reopen/", {"reason": "仍未解决"})
    assert response.status_code == 404
