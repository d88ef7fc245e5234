"""The provincial exchange across real processes: the simulated provincial platform pushes
an order down to a live Minhu with its own `push` command, the city dispatches it from
the command line, the province receives both updates, and the dispatcher reads the
exchange page in the browser with both deadlines and how far the updates got."""

import json
import subprocess
import sys
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from minhu.exchange.tests.processes import ROOT, SECRET, Simulator

CITY_TZ = ZoneInfo("Asia/Shanghai")


def _minhu(live_city, *args) -> str:
    done = subprocess.run([sys.executable, "-m", "minhu.cli", *args], cwd=ROOT,
                          env=live_city.env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture
def province(live_city, tmp_path):
    # The live server signs with real time, so the simulator checks the timestamp too.
    sim = Simulator(tmp_path / "province.sqlite3", max_skew=300).start()
    _minhu(live_city, "province", "configure", "--url", sim.url + "/updates",
           "--secret", SECRET)
    yield sim
    sim.stop()


def test_an_order_pushed_down_by_the_province_reports_back_and_shows_on_the_exchange_page(
        live_city, province, open_as):
    token = _minhu(live_city, "province", "token").splitlines()[0]
    number = "GSB" + datetime.now(CITY_TZ).strftime("%Y%m%d%H%M%S%f")
    deadline = (datetime.now(CITY_TZ) + timedelta(days=6)).replace(microsecond=0)
    pushed = subprocess.run(
        [sys.executable, "-m", "minhu.exchange.simulator", "push",
         "--base-url", live_city.base_url, "--token", token, "--number", number,
         "--deadline", deadline.isoformat(), "--content", "小区停水两天了，物业说是管网维修",
         "--type", "02", "--category", "0501", "--phone", "13912345678"],
        cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    status, body = pushed.stdout.split(" ", 1)
    answer = json.loads(body)
    assert status == "201" and answer["status"] == "01"
    city_no = answer["city_no"]

    # The platform's jobs run inside the request here: the update is already up.
    assert [u["event"] for u in province.updates(number)] == ["register"]
    _minhu(live_city, "order", "dispatch", city_no, "--as", "dispatcher1", "lead_unit=DC01")
    updates = province.updates(number)
    assert [(u["event"], u["status"]) for u in updates] == [("register", "01"),
                                                            ("dispatch", "02")]
    assert updates[1]["handling_unit"]["code"] == "DC01"
    assert province.stats()["bad_signatures"] == 0

    dispatcher = open_as("dispatcher1")
    dispatcher.opens("/exchange/")
    row = dispatcher.page.locator(f"tr[data-province-no='{number}']")
    text = row.inner_text()
    assert city_no in text and "待签收" in text
    assert deadline.strftime("%Y-%m-%d %H:%M") in text
    assert "已送达至 #2" in text
    assert dispatcher.page.locator("#exchange-health").get_attribute("data-state") == "ok"

    open_as("dc01_handler").opens("/exchange/", status=403)
