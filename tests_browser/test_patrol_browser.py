"""Grid patrol and the telephony hook, in the browser.

杨磊, the worker of grid DC010101, reports a problem from his phone with a photo and finds
it in his reports. A call rings at agent1: the CTI posts the event, the agent console pops
with the caller's number, and the registration started from the pop carries the number
and the call id; the next call from the same number shows that order as open.
"""

import io
import json
import subprocess
import sys
import urllib.request
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from .city import ROOT
from .helpers import TIMEOUT_MS

CALLER = "13905718888"
POP_WAIT_MS = 20_000  # the console polls every 3 s; the server may be busy


def jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (800, 600), (140, 110, 80)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture(scope="module")
def cti_key(live_city):
    """A token of scope cti for the switch, issued as an administrator would."""
    done = subprocess.run(
        [sys.executable, "-m", "minhu.cli", "issue-token", "admin", "--name", "话务系统",
         "--scope", "cti"], cwd=ROOT, env=live_city.env, capture_output=True, text=True,
        timeout=120)
    assert done.returncode == 0, done.stderr
    return next(line.strip() for line in done.stdout.splitlines() if line.startswith("mh_"))


def ring(live_city, key: str, call_id: str, event: str = "ringing") -> dict:
    body = {"call_id": call_id, "event": event, "caller": CALLER, "agent": "agent1",
            "at": datetime.now(ZoneInfo("Asia/Shanghai")).isoformat()}
    request = urllib.request.Request(
        live_city.base_url + "/api/v1/cti/calls", data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


def test_a_grid_worker_reports_from_the_phone_with_a_photo(open_as, screenshot_dir):
    worker = open_as("dc010101_handler", phone=True)
    worker.opens("/patrol/")
    page = worker.page
    form = page.locator("#patrol-form")
    form.locator("label.pill:has(input[value=CG08])").click()
    form.locator("#in-content").fill("翠苑小区3号楼东侧井盖松动，车辆经过时响声很大")
    first_place = form.locator("#in-place option").nth(2)
    form.locator("#in-place").select_option(value=first_place.get_attribute("value"))
    form.locator("#in-photos").set_input_files(
        [{"name": "井盖.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}])
    page.locator("[data-thumbs] img").first.wait_for()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1, f"the report page is {width}px wide on a 390px phone"
    worker.screenshot(screenshot_dir / "patrol-phone.png", full_page=True)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert page.url.endswith("/patrol/mine/")
    flash = page.locator("#flash .flash").inner_text()
    assert "已上报，工单编号" in flash
    number = flash.split()[-1]
    item = page.locator(f".report-list li[data-number='{number}']")
    assert "井盖" in item.inner_text()
    worker.screenshot(screenshot_dir / "patrol-mine-phone.png")


def test_the_agent_console_pops_and_the_registration_is_prefilled(
        open_as, live_city, cti_key, screenshot_dir):
    agent = open_as("agent1")
    agent.opens("/agent/")
    page = agent.page
    call_id = f"CTI-{uuid.uuid4().hex[:10]}"
    assert ring(live_city, cti_key, call_id)["popped"] is True

    pop = page.locator(f"#cti-pop .cti-card[data-call-id='{call_id}']")
    pop.wait_for(timeout=POP_WAIT_MS)
    assert CALLER in pop.locator("[data-cti-caller]").inner_text()
    assert "首次来电" in pop.inner_text()
    agent.screenshot(screenshot_dir / "agent-cti-pop.png")

    pop.locator("[data-cti-start]").click()
    form = page.locator("#intake-form")
    assert form.locator("#in-phone").input_value() == CALLER
    assert form.locator("input[name=cti_call_id]").input_value() == call_id
    assert form.locator("[data-cti-linked]").is_visible()
    form.locator("#in-name").fill("钱女士")
    form.locator("#in-content").fill("小区门口的路灯坏了一周，晚上出行不安全")
    form.locator("label.pill:has(input[name=request_type][value=help])").click()
    form.locator("#in-content").press("Control+Enter")
    number = page.locator("#intake-form .done-banner a.done-number")
    number.wait_for(timeout=TIMEOUT_MS)
    registered = number.inner_text().strip()

    # The pop now says the call became that order.
    page.locator(f"#cti-pop .done-line a:text-is('{registered}')").wait_for(
        timeout=POP_WAIT_MS)

    # The same caller rings again: the order is in the history, highlighted as open.
    ring(live_city, cti_key, call_id + "-2")
    again = page.locator(f"#cti-pop .cti-card[data-call-id='{call_id}-2']")
    again.wait_for(timeout=POP_WAIT_MS)
    assert again.locator(f"li.open[data-number='{registered}']").count() == 1


def test_leaders_see_the_proactive_share_and_supervisors_the_answer_rate(
        open_as, screenshot_dir):
    leader = open_as("dc01_leader")
    leader.opens("/patrol/stats/")
    leader.page.locator("#chart-proactive canvas").wait_for()
    assert "主动发现占比" in leader.main_text()
    leader.screenshot(screenshot_dir / "patrol-stats.png", full_page=True)
    supervisor = open_as("supervisor1")
    supervisor.opens("/cti/")
    supervisor.page.locator("#chart-rate canvas").wait_for()
    assert "接通率" in supervisor.main_text()
    supervisor.screenshot(screenshot_dir / "cti-rates.png", full_page=True)
