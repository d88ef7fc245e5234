"""The closed loop, through the browser, by the demo city's people at their desks.

A resident calls about restaurant fumes. The agent registers the call at the agent
console; the dispatcher sends it from the dispatcher desk to the city management bureau,
which signs it in its inbox and returns it as a street matter; the dispatcher approves
the return and reassigns it to 文昌街道, which signs and replies; the citizen tells the
callback agent it is not solved; the supervisor reopens it; the street handles it again
and replies; the citizen is satisfied and the order closes. Units that do not hold the
order cannot open it or act on it.
"""

import pytest

from .desks import AgentConsole, CallbackDesk, DispatchDesk, Inbox
from .helpers import Refused

CONTENT = "翠苑小区5号楼底商的烧烤店每天晚上油烟很大，窗户都不敢开，希望有关部门管一管。"
CITIZEN = "陈桂兰"
STREET, BUREAU = "文昌街道", "市城市管理局"


@pytest.fixture(scope="module")
def fumes_call(people_of_the_city):
    """The resident's call, registered by agent1 at the agent console: its number."""
    agent = AgentConsole.open(people_of_the_city.open_as("agent1"))
    try:
        return agent.registers_a_call(
            phone="13905710001", name=CITIZEN, address_words="翠苑 5号楼",
            place="翠苑小区5号楼", address_detail="底商", content=CONTENT, request_type="complaint",
            category_words="油烟", category="CG10")
    finally:
        people_of_the_city.close_all()


def test_a_call_goes_round_the_whole_loop_and_closes_after_being_reopened(
        open_as, fumes_call):
    number = fumes_call

    # The dispatcher finds the new call in the queue and sends it to the city management
    # bureau.
    dispatcher = DispatchDesk.open(open_as("dispatcher1"))
    assert number in dispatcher.queue_numbers()
    dispatcher.picks(number)
    assert "餐饮油烟" in dispatcher.panel_text() and CONTENT[:12] in dispatcher.panel_text()
    assert dispatcher.dispatches("CGJ", note="餐饮油烟，请城管核查").startswith("派单")
    assert number not in dispatcher.queue_numbers()

    # The bureau signs it in its inbox, then returns it: shop-front fumes are the street's.
    bureau = Inbox.open(open_as("cgj_handler"))
    assert bureau.has(number) and "待签收" in bureau.card_text(number)
    bureau.signs(number)
    bureau = Inbox.open(bureau.person, tab="handling")
    bureau.returns(number, reason="not_duty", suggested_unit="DC01",
                   explanation="该店铺位于文昌街道辖区，底商油烟属属地管理事项，建议改派文昌街道。")
    bureau = Inbox.open(bureau.person, tab="returns")
    assert bureau.has(number) and "非本单位职责" in bureau.card_text(number)

    # The dispatcher reads the reason and reassigns it to the street the bureau suggested.
    dispatcher = DispatchDesk.open(open_as("dispatcher1"), tab="returns")
    dispatcher.picks(number)
    assert "建议改派：文昌街道" in dispatcher.panel_text()
    dispatcher.approves_the_return_and_reassigns("DC01", note="同意，改派属地街道")

    # The street signs and replies, saying who handled it and how to reach them.
    street = Inbox.open(open_as("dc01_handler"))
    street.signs(number)
    street = Inbox.open(street.person, tab="handling")
    street.replies(number, text="已约谈店主，要求三日内安装油烟净化设备。", solved=True,
                   handler_name="张伟", handler_phone="0571-88001234")

    # The citizen says it is not solved: the callback agent records dissatisfaction.
    callback = CallbackDesk.open(open_as("callback1")).picks(number)
    assert "张伟" in callback.script() and "0571-88001234" in callback.script()
    callback.records_a_callback(resolved="no", satisfaction="dissatisfied",
                                scores={"attitude": 4, "speed": 2}, note="市民反映油烟依旧")

    # The supervisor reviews it on the order page and sends it back to the street.
    supervisor = open_as("supervisor1").opens_order(number)
    assert supervisor.state() == "不满意待审核"
    supervisor.does("review-dissatisfaction", reopen=True, note="市民反映问题仍未解决，重办")
    assert supervisor.state() == "待签收"
    assert "重办 1 次" in supervisor.badges()

    # The street sees the reopened order, handles it again and replies.
    street = Inbox.open(open_as("dc01_handler"))
    assert "重办 1 次" in street.card_text(number)
    street.signs(number)
    street = Inbox.open(street.person, tab="handling")
    street.replies(number, text="店铺已安装油烟净化器，并经执法中队复查合格。", solved=True,
                   handler_name="张伟", handler_phone="0571-88001234")

    # This time the citizen is satisfied, and the order closes.
    CallbackDesk.open(open_as("callback1")).picks(number).records_a_callback(
        resolved="yes", satisfaction="satisfied", note="市民表示满意")

    # The order page tells the whole story, step by step, with who did each step.
    order = open_as("dispatcher1").opens_order(number)
    assert order.state() == "已办结"
    assert set(order.operations()) <= {"reopen", "mark-unreasonable"}  # all a closed order allows
    assert order.timeline() == [
        "登记", "派单", "签收", "退单", "退单审核", "签收", "答复", "回访", "不满意审核",
        "签收", "答复", "回访",
    ]
    steps = order.timeline_entries()
    assert "新建 → 待派单" in steps[0] and "王芳" in steps[0]
    assert f"→ {BUREAU}" in steps[1] and "待派单 → 待签收" in steps[1]
    assert BUREAU in steps[2] and "待签收 → 办理中" in steps[2]
    assert BUREAU in steps[3] and "办理中 → 退单审核中" in steps[3]
    assert "非本单位职责" in steps[3]
    assert f"→ {STREET}" in steps[4] and "退单审核中 → 待签收" in steps[4]
    assert STREET in steps[6] and "办理中 → 待回访" in steps[6]
    assert "待回访 → 不满意待审核" in steps[7]
    assert "孙伟" in steps[8] and "不满意待审核 → 待签收" in steps[8]
    assert STREET in steps[10] and "办理中 → 待回访" in steps[10]
    assert "待回访 → 已办结" in steps[11]
    assert any(STREET in row and "主办" in row for row in order.assignments())
    text = order.person.main_text()
    assert "店铺已安装油烟净化器" in text and "满意" in text


def test_the_bureau_that_handed_the_order_back_no_longer_sees_it(open_as, fumes_call):
    """Least privilege: once its return was approved the bureau holds nothing on it."""
    bureau = open_as("cgj_handler")
    bureau.opens(f"/orders/{fumes_call}/", status=404)
    assert "工单不存在或您无权查看" in bureau.main_text()
    assert not Inbox.open(bureau).has(fumes_call)


def test_another_street_cannot_open_the_order(open_as, fumes_call):
    other_street = open_as("dc02_handler")
    other_street.opens(f"/orders/{fumes_call}/", status=404)
    text = other_street.main_text()
    assert "工单不存在或您无权查看" in text
    assert CONTENT[:10] not in text and CITIZEN not in text


def test_another_street_cannot_act_on_the_order_by_posting_a_form(open_as, fumes_call):
    other_street = open_as("dc02_handler")
    other_street.opens("/inbox/")
    with pytest.raises(Refused, match="404"):
        other_street.calls_api("POST", f"/orders/{fumes_call}/sign", {"note": "试图签收"})
    page = other_street.page
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    answer = page.request.post(other_street.url(f"/orders/{fumes_call}/do/sign/"),
                               form={"csrfmiddlewaretoken": csrf, "note": "试图签收"},
                               headers={"Referer": other_street.base_url + "/"})
    assert answer.status == 404 and "工单不存在或您无权查看" in answer.text()
