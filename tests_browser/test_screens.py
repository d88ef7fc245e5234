"""Every role's main screen renders in the browser, without server or script errors, on a
1366×768 office screen (and the unit's inbox and the order page on a 390×844 phone).

Each screen is photographed. With MINHU_SCREENSHOTS=1 the pictures are written to
docs/screenshots/ for the user guide (docs/guide/); otherwise to a temporary folder::

    MINHU_SCREENSHOTS=1 python -m pytest tests_browser -k screens
"""

from dataclasses import dataclass
from datetime import date

import pytest

SHOWCASE_CONTENT = ("锦绣家园3号楼东侧路灯连续一周不亮，晚上老人孩子出行很不安全，"
                    "希望尽快修复。")
WAITING_CONTENT = "文昌路与兴业街路口的井盖松动，车辆经过时响声很大，担心有人踩空。"
RETURNED_CONTENT = "翠苑小区2号楼楼道里的水管漏水两天了，楼梯上全是水，老人上下楼容易滑倒。"


@dataclass(frozen=True)
class Screen:
    name: str  # the PNG's name in docs/screenshots/
    user: str | None
    path: str  # may name {showcase}, {waiting}, {returned} (the orders made below), {year}
    must_show: str  # text that proves the screen is the right one
    phone: bool = False
    full_page: bool = False
    steps: tuple = ()  # ("type", selector, text) / ("click", selector) before the picture


SCREENS = [
    Screen("login", None, "/login/", "登录民呼工作台"),
    Screen("agent", "agent1", "/agent/", "该来电人有在办工单",
           steps=(("type", "#in-phone", "13905710002"),)),
    Screen("dispatch", "dispatcher1", "/dispatch/?o={waiting}", "派单建议"),
    Screen("dispatch-returns", "dispatcher1", "/dispatch/?tab=returns&o={returned}",
           "同意并改派"),
    Screen("inbox", "cgj_handler", "/inbox/", "签收期限"),
    Screen("inbox-phone", "dc01_handler", "/inbox/?tab=handling", "承办工作台", phone=True),
    Screen("inbox-return-phone", "dc01_handler", "/inbox/?tab=handling", "退单原因",
           phone=True, steps=(("click", "#card-{showcase} a[data-action=return]"),)),
    Screen("order", "dispatcher1", "/orders/{showcase}/", "时间线", full_page=True),
    Screen("order-phone", "dc01_handler", "/orders/{showcase}/", "时间线", phone=True),
    Screen("supervise", "supervisor1", "/supervise/", "按主办单位"),
    Screen("callback", "callback1", "/callback/", "回访结果"),
    Screen("home-leader", "leader1", "/", "最需要处理的工单"),
    Screen("search", "leader1", "/orders/", "保存当前条件"),
    Screen("evaluator", "evaluator1", "/orders/", "保存当前条件"),
    Screen("incidents", "dispatcher1", "/dedup/incidents/", "一事多诉"),
    Screen("triage-learning", "supervisor1", "/triage/learning/", "模型与派单员的分歧"),
    Screen("triage-models", "admin", "/triage/models/", "分类模型版本"),
    Screen("admin", "admin", "/admin/", "平台配置"),
    Screen("admin-units", "admin", "/admin/org/unit/", "下级单位"),
    Screen("admin-users", "admin", "/admin/accounts/user/", "工作人员"),
    Screen("admin-duties", "admin", "/admin/catalog/responsibility/", "适用辖区"),
    Screen("admin-limits", "admin", "/admin/catalog/urgencytier/", "黄灯"),
    Screen("admin-holidays", "admin", "/admin/workcal/calendarday/?year={year}", "调休"),
]


@pytest.fixture(scope="module")
def orders_on_show(people_of_the_city):
    """Orders with fixed text for the pictures: one being handled by 文昌街道 with a few
    steps on its time line, one waiting in the dispatcher's queue, one returned by the
    city management bureau and waiting for the dispatcher's review."""
    people = people_of_the_city
    try:
        agent = people.open_as("agent1")
        agent.opens("/notices/")
        showcase = agent.calls_api("POST", "/orders", {
            "content": SHOWCASE_CONTENT, "citizen_name": "李秀英", "citizen_phone": "13905710002",
            "address": "锦绣家园3号楼东侧", "request_type": "help", "category": None,
            "community": "DC0101", "channel": "phone"})["number"]
        waiting = agent.calls_api("POST", "/orders", {
            "content": WAITING_CONTENT, "citizen_name": "赵建华", "citizen_phone": "13905710003",
            "address": "文昌路与兴业街路口", "request_type": "help", "community": "DC0101",
            "channel": "phone"})["number"]
        returned = agent.calls_api("POST", "/orders", {
            "content": RETURNED_CONTENT, "citizen_name": "孙丽", "citizen_phone": "13905710004",
            "address": "翠苑小区2号楼", "request_type": "complaint", "community": "DC0101",
            "channel": "phone"})["number"]
        dispatcher = people.open_as("dispatcher1")
        dispatcher.opens("/notices/")
        dispatcher.calls_api("POST", f"/orders/{showcase}/dispatch", {
            "lead_unit": "DC01", "co_units": ["CGJ"], "note": "路灯维修，街道主办，城管协办"})
        dispatcher.calls_api("POST", f"/orders/{returned}/dispatch", {"lead_unit": "CGJ"})
        bureau = people.open_as("cgj_handler")
        bureau.opens("/notices/")
        bureau.calls_api("POST", f"/orders/{returned}/return", {
            "reason": "【非本单位职责】楼内供水管道漏水属物业维修范围，"
                      "建议由属地街道督促物业处理。",
            "suggested_unit": "DC01"})
        street = people.open_as("dc01_handler")
        street.opens("/notices/")
        street.calls_api("POST", f"/orders/{showcase}/sign", {"note": "已安排网格员现场查看"})
        supervisor = people.open_as("supervisor1")
        supervisor.opens("/notices/")
        supervisor.calls_api("POST", f"/orders/{showcase}/urge", {
            "kind": "phone", "note": "涉及夜间出行安全，请今日内反馈进展"})
    finally:
        people.close_all()
    return {"showcase": showcase, "waiting": waiting, "returned": returned,
            "year": date.today().year}


@pytest.mark.parametrize("screen", SCREENS, ids=[s.name for s in SCREENS])
def test_screens(screen, open_as, orders_on_show, screenshot_dir):
    person = open_as(screen.user, phone=screen.phone)
    person.opens(screen.path.format(**orders_on_show))
    page = person.page
    for step in screen.steps:
        target = page.locator(step[1].format(**orders_on_show)).first
        if step[0] == "type":
            target.press_sequentially(step[2], delay=20)
        else:
            target.click()
    try:
        page.get_by_text(screen.must_show).first.wait_for()
    except Exception as exc:  # noqa: BLE001 - say which screen and what it shows
        raise AssertionError(f"{screen.name}: “{screen.must_show}” not on the page:\n"
                             f"{person.main_text()[:1500]}") from exc
    if screen.phone:
        # Nothing wider than the phone: no sideways scrolling for people in the field.
        width = person.page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390 + 1, f"{screen.name} is {width}px wide on a 390px phone"
    shot = person.screenshot(screenshot_dir / f"{screen.name}.png", full_page=screen.full_page)
    assert shot.stat().st_size > 10_000
