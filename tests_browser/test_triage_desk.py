"""Triage at the dispatcher desk, in the browser: a new call arrives, the dispatcher opens
it and sees the learned suggestion (智能分拨) with its reason, the history behind it and
how sure it is, and sends the order on with one click."""

import subprocess
import sys

import pytest

from .city import ROOT
from .desks import DispatchDesk
from .helpers import submit_and_wait

# The community × category with the most history in the live demo city, and its solver.
FIND_CELL = """
from minhu.triage.models import RoutingStat
s = RoutingStat.objects.select_related("community", "category", "unit").order_by(
    "-solved", "pk").first()
print(s.community.code, s.category.code, s.unit.code, s.unit.name, s.solved)
"""


def manage(live_city, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "minhu.cli", *args], cwd=ROOT,
                          env=live_city.env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def learned_cell(live_city):
    """Rebuild the routing history the nightly job would have built, and name the busiest
    cell: (community code, category code, unit code, unit name, solved count)."""
    manage(live_city, "triage-stats")
    community, category, unit, name, solved = manage(
        live_city, "shell", "-c", FIND_CELL).split()[-5:]
    return community, category, unit, name, int(solved)


def test_a_dispatcher_sees_the_learned_suggestion_with_its_reason_and_takes_it(
        open_as, learned_cell):
    community, category, unit, unit_name, solved = learned_cell
    agent = open_as("agent1")
    agent.opens("/notices/")
    number = agent.calls_api("POST", "/orders", {
        "content": "这个问题又出现了，已经好几天了，希望尽快派人来处理一下。",
        "citizen_name": "周立群", "citizen_phone": "13905718899", "request_type": "complaint",
        "category": category, "community": community, "channel": "phone"})["number"]

    desk = DispatchDesk.open(open_as("dispatcher1"))
    assert number in desk.queue_numbers()
    desk.picks(number)
    text = desk.panel_text()
    assert "智能分拨" in text
    assert f"同社区同类 {solved} 件由{unit_name}办结" in text
    assert "置信度" in text
    top = desk.person.page.locator("#panel .sugg-item.top")
    assert unit_name in top.inner_text()

    message = submit_and_wait(desk.person.page, top.locator("button.primary"))
    assert message.startswith("派单") and "成功" in message and number in message
    order = desk.person.calls_api("GET", f"/orders/{number}")
    assert order["state"] == "dispatched"
    assert order["lead_unit"]["code"] == unit
    dispatch = [e for e in order["timeline"] if e["action"] == "dispatch"][-1]
    assert dispatch["note"].startswith("采纳派单建议：")
    assert f"{solved} 件由{unit_name}办结" in dispatch["note"]  # the learned reason, kept
