"""The learning report shows supervisors and administrators where the model and the
dispatchers disagree: weekly agreement, category confusion pairs with sample orders,
the units most often overridden, auto-dispatches later reassigned or returned, and which
corrections a training has used; the confusion pairs download as an Excel file."""

import io
import json
import re

import pytest
from django.test import Client
from openpyxl import load_workbook

from minhu.accounts.roles import Role
from minhu.core import clock
from minhu.intake.actions import service_account
from minhu.orders.actions import do_dispatch, do_reassign, do_return
from minhu.triage.models import Correction, ModelVersion, TriageRecord

URL = "/triage/learning/"
OCTOBER = "?start=2026-10-01&end=2026-10-31"


def _client(city, username):
    client = Client()
    client.force_login(city.user(username))
    return client


def _propose(city, order, category, lead, auto=False):
    TriageRecord.objects.update_or_create(order=order, defaults=dict(
        created_at=clock.now(), category_code=category, type_code="complaint",
        urgency_code="normal", lead_unit=city.unit(lead), route_confidence=0.95,
        auto_dispatched=auto))


@pytest.fixture
def october(city, new_order, at):
    """Two orders where the dispatcher changed 环境卫生 → 噪声 and 城管 → 街道, one kept as
    proposed, and one auto-dispatched order that was returned and then reassigned."""
    bot = service_account("svc-test-triage", "测试分拨", roles=(Role.DISPATCHER,))
    with at(2026, 10, 6, 9):
        changed = []
        for _ in range(2):
            order = new_order()
            _propose(city, order, "CG04", "CGJ")
            changed.append(do_dispatch(order, city.dispatcher, city.unit("DC01").pk,
                                       category="CG01"))
        kept = new_order()
        _propose(city, kept, "CG01", "DC01")
        do_dispatch(kept, city.dispatcher, city.unit("DC01").pk)
        auto = new_order()
        _propose(city, auto, "CG01", "DC01", auto=True)
        auto = do_dispatch(auto, bot, city.unit("DC01").pk)
    with at(2026, 10, 7, 9):
        auto = do_return(auto, city.street_handler, "占道经营属于城管执法职责，不属于街道")
    with at(2026, 10, 7, 10):
        version = ModelVersion.objects.create(kind="city", created_at=clock.now(), blob=b"")
        Correction.objects.filter(order=changed[0]).update(used_in=version)
    return {"changed": changed, "kept": kept, "auto": auto, "version": version}


def test_supervisor_sees_where_model_and_dispatchers_disagree(city, october):
    page = _client(city, "supervisor1").get(URL + OCTOBER)
    assert page.status_code == 200
    html = page.content.decode()
    pair = re.search(r'<tr data-pair="CG04-CG01">(.*?)</tr>', html, re.S).group(1)
    assert '<td class="n">2</td>' in pair
    for order in october["changed"]:
        assert f'href="/orders/{order.number}/"' in pair
    unit = re.search(r'<tr data-unit="CGJ">(.*?)</tr>', html, re.S).group(1)
    assert "城市管理" in unit and "<td class=\"n\">2</td>" in unit
    assert '<b data-stat="decided">3</b>' in html
    assert '<b data-stat="category">33.3%</b>' in html
    assert october["auto"].number in html and "被退回" in html
    assert f'data-version="{october["version"].pk}"' in html and 'data-version="pending"' in html


def test_weekly_agreement_is_drawn_from_a_json_series(city, october):
    html = _client(city, "supervisor1").get(URL + OCTOBER).content.decode()
    data = json.loads(re.search(r'<script id="agreement-chart" type="application/json">(.*?)'
                                r"</script>", html, re.S).group(1))
    assert data["weeks"] == ["2026-10-05"]
    assert data["category"] == [33.3] and data["unit"] == [33.3]
    assert "vendor/echarts.min.js" in html and "triage/learning.js" in html


def test_a_later_reassignment_of_an_auto_dispatched_order_is_counted(city, october, at):
    with at(2026, 10, 8, 9):
        from minhu.orders.actions import do_review_return

        do_review_return(october["auto"], city.dispatcher, approve=True,
                         lead_unit=city.unit("CGJ").pk)
        do_reassign(october["auto"], city.dispatcher, city.unit("DC02").pk,
                    reason="属地街道办理更合适")
    html = _client(city, "supervisor1").get(URL + OCTOBER).content.decode()
    assert "其中被改派 1 件、被承办单位退回 1 件" in html


def test_administrators_see_the_report_too(city, october):
    assert _client(city, "admin").get(URL + OCTOBER).status_code == 200


@pytest.mark.parametrize("username", ["agent1", "dispatcher1", "dc01_handler"])
def test_other_roles_get_the_usual_refusal(city, username):
    page = _client(city, username).get(URL)
    assert page.status_code == 403
    assert "您无权进入分拨学习报告" in page.content.decode()
    assert _client(city, username).get(URL + "export.xlsx").status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(db):
    page = Client().get(URL)
    assert page.status_code == 302 and "login" in page["Location"]


@pytest.mark.parametrize("query, message", [
    ("?start=yesterday&end=2026-13-45", "日期格式应为"),
    ("?start=2026-10-31&end=2026-10-01", "起止日期颠倒"),
    ("?start=2020-01-01&end=2026-10-31", "每次最多统计 366 天"),
])
def test_bad_dates_are_explained_not_refused(city, query, message):
    page = _client(city, "supervisor1").get(URL + query)
    assert page.status_code == 200 and message in page.content.decode()


def test_an_empty_period_says_so(city):
    html = _client(city, "supervisor1").get(URL + "?start=2001-01-01&end=2001-01-31") \
        .content.decode()
    assert "该期间派单员没有改过建议的分类" in html and "该期间没有人工纠正" in html


def test_confusion_pairs_export_opens_in_openpyxl(city, october):
    response = _client(city, "supervisor1").get(URL + "export.xlsx" + OCTOBER)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:5] == ("模型建议分类编码", "模型建议分类", "人工选定分类编码", "人工选定分类",
                           "纠正次数")
    assert rows[1][0] == "CG04" and rows[1][2] == "CG01" and rows[1][4] == 2
    assert october["changed"][0].number in rows[1][5]
