"""Order search 工单查询: filters over what each person may see, saved filters, the Excel
export of the current list, and lenient handling of whatever arrives in the query string."""

import io
from datetime import timedelta

import pytest
from django.test import Client
from openpyxl import load_workbook

from minhu.audit.models import AuditEntry
from minhu.core import clock
from minhu.orders.models import WorkOrder
from minhu.web.desks import search
from minhu.web.models import SavedFilter


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


def listed(response) -> str:
    """The results table only (the filter form repeats codes and names)."""
    page = text(response)
    start = page.find('<section class="card results">')
    return page[start:page.index("</section>", start)]


@pytest.fixture
def dispatcher(city) -> Client:
    return login(city.dispatcher)


def test_filters_by_state_first_level_category_overdue_and_words(city, new_order,
                                                                   dispatched_order,
                                                                   dispatcher):
    waiting = new_order(content="小区门口路灯坏了一个月", category="SZ03")
    noisy = dispatched_order(content="广场舞音响太吵影响休息", category="CG01")
    stalls = dispatched_order(content="早市摊贩占用人行道", category="CG02")
    WorkOrder.objects.filter(pk=stalls.pk).update(is_overdue=True)

    by_state = listed(dispatcher.get("/orders/?state=registered"))
    assert waiting.number in by_state and noisy.number not in by_state

    by_l1 = listed(dispatcher.get("/orders/?category=CG"))
    assert noisy.number in by_l1 and stalls.number in by_l1
    assert waiting.number not in by_l1
    by_l2 = listed(dispatcher.get("/orders/?category=CG02"))
    assert stalls.number in by_l2 and noisy.number not in by_l2

    overdue = listed(dispatcher.get("/orders/?flag=overdue"))
    assert stalls.number in overdue and noisy.number not in overdue

    words = listed(dispatcher.get("/orders/?q=音响 休息"))
    assert noisy.number in words and stalls.number not in words
    by_address = listed(dispatcher.get("/orders/?q=锦绣家园"))  # the address matches too
    assert noisy.number in by_address

    several = listed(dispatcher.get("/orders/?state=registered,dispatched&sort=due"))
    assert all(o.number in several for o in (waiting, noisy, stalls))


def test_the_home_tiles_link_to_lists_with_the_same_counts(city, dispatched_order,
                                                           new_order, dispatcher):
    new_order()
    late = dispatched_order()
    amber = dispatched_order()
    WorkOrder.objects.filter(pk=late.pk).update(is_overdue=True)
    WorkOrder.objects.filter(pk=amber.pk).update(is_yellow=True)
    home = text(dispatcher.get("/"))
    for link in ("?flag=overdue", "?flag=yellow", "?state=registered", "?state=return_review",
                 "?state=replied", "?state=dissatisfied_review"):
        assert f'href="/orders/{link}"' in home
        response = dispatcher.get(f"/orders/{link}")
        assert response.status_code == 200
    assert "共 1 件" in text(dispatcher.get("/orders/?flag=overdue"))
    assert "共 1 件" in text(dispatcher.get("/orders/?flag=yellow"))
    assert "共 1 件" in text(dispatcher.get("/orders/?state=registered"))


def test_a_unit_only_finds_orders_it_may_see(city, dispatched_order):
    ours = dispatched_order(lead="DC01")
    theirs = dispatched_order(lead="DC02")
    street = login(city.street_handler)

    page = listed(street.get("/orders/"))

    assert ours.number in page and theirs.number not in page
    assert theirs.number not in listed(street.get(f"/orders/?number={theirs.number}"))


def test_phone_search_is_for_the_centre_contact_desks_only(city, new_order, dispatcher):
    order = new_order(citizen_phone="13912340000")
    other = new_order(citizen_phone="13700000000")

    found = dispatcher.get("/orders/?phone=139 1234 0000")
    assert order.number in listed(found) and other.number not in listed(found)
    assert 'name="phone"' in text(found)

    street = login(city.street_handler)
    ignored = street.get("/orders/?phone=13912340000", follow=True)
    assert "按诉求人电话查询仅限" in text(ignored)
    assert 'name="phone"' not in text(ignored)


def test_a_saved_filter_round_trip(city, dispatcher):
    response = dispatcher.post("/orders/saved/", {
        "name": "东城超期",
        "querystring": "?flag=overdue&district=DC&page=4&evil=<script>&state=nonsense",
    })
    saved = SavedFilter.objects.get(user=city.dispatcher)
    # Only conditions the search can use are kept, re-encoded; the page number is not.
    assert saved.querystring == "flag=overdue&district=DC"
    assert response.status_code == 302
    assert response["Location"] == "/orders/?flag=overdue&district=DC"

    page = text(dispatcher.get("/orders/"))
    assert "东城超期" in page
    assert 'href="/orders/?flag=overdue&amp;district=DC"' in page
    chips = text(dispatcher.get("/orders/?flag=overdue&district=DC"))
    assert "标记：超期（在办）" in chips and "区县：东城区" in chips
    assert '<option value="DC" selected>东城区</option>' in chips
    assert 'name="flag" value="overdue" checked' in chips

    # Saving under the same name replaces; someone else cannot delete it.
    dispatcher.post("/orders/saved/", {"name": "东城超期", "querystring": "flag=yellow"})
    assert SavedFilter.objects.get(user=city.dispatcher).querystring == "flag=yellow"
    login(city.agent).post(f"/orders/saved/{saved.pk}/delete/")
    assert SavedFilter.objects.filter(pk=saved.pk).exists()
    dispatcher.post(f"/orders/saved/{saved.pk}/delete/")
    assert not SavedFilter.objects.filter(pk=saved.pk).exists()
    assert dispatcher.post("/orders/saved/", {"name": "  "}).status_code == 302
    assert not SavedFilter.objects.exists()


def test_the_excel_export_has_chinese_headers_masked_phones_and_only_visible_orders(
        city, dispatched_order):
    ours = dispatched_order(lead="DC01", citizen_phone="13812345678",
                            content="=HYPERLINK(\"http://x\")\x07 楼道堆物")
    theirs = dispatched_order(lead="DC02")
    street = login(city.street_handler)

    response = street.get("/orders/export.xlsx")

    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("工单编号", "状态", "来源渠道")
    assert "联系电话（脱敏）" in rows[0] and "诉求内容" in rows[0]
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["I"].width == 60
    numbers = [r[0] for r in rows[1:]]
    assert numbers == [ours.number] and theirs.number not in numbers
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["联系电话（脱敏）"] == "138****5678" and row["诉求人"] == "张**"
    assert row["状态"] == "待签收" and row["一级分类"] == "城市管理"
    # Citizen text stays text: no formula, no control characters.
    assert row["诉求内容"] == "=HYPERLINK(\"http://x\") 楼道堆物"
    assert sheet.cell(row=2, column=9).data_type == "s"
    assert AuditEntry.objects.filter(action="export_orders", actor=city.street_handler).exists()


def test_the_export_follows_the_filters_and_refuses_beyond_its_limit(
        city, dispatched_order, dispatcher, monkeypatch):
    keep = dispatched_order(category="CG02")
    dispatched_order(category="CG01")
    response = dispatcher.get("/orders/export.xlsx?category=CG02")
    rows = list(load_workbook(io.BytesIO(b"".join(response.streaming_content)))
                .active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == [keep.number]

    monkeypatch.setattr(search, "EXPORT_MAX", 1)
    refused = dispatcher.get("/orders/export.xlsx?category=CG")
    assert refused.status_code == 302 and refused["Location"] == "/orders/?category=CG"
    assert "无法一次导出" in text(dispatcher.get(refused["Location"]))


@pytest.mark.parametrize("query", [
    "created_from=garbage&created_to=2025-13-45&due_from=0000-00-00&due_to=99999-01-01",
    "q=" + "噪" * 10_000,
    "q=%27%3B+DROP+TABLE+orders_workorder%3B--&number=%27+OR+1%3D1--",
    "state=%3Cscript%3Ealert(1)%3C%2Fscript%3E&flag=evil&sort=evil&channel=x",
    "category=..%2F..%2Fetc&type=%00&urgency=%25&district=%25&lead=%00%00&community=%5F",
    "q=%00abc&number=%00&page=abc",
    "page=-5", "page=99999999999999999999", "q=100%25+_+%5C",
    "street=" + "x" * 5000, "state=registered&state=registered&state=" + "a," * 100,
])
def test_bad_input_in_the_filters_never_breaks_the_list(city, new_order, dispatcher, query):
    new_order()
    response = dispatcher.get(f"/orders/?{query}")
    assert response.status_code == 200
    page = text(response)
    assert "<script>alert(1)" not in page
    assert dispatcher.get(f"/orders/export.xlsx?{query}").status_code == 200


def test_ignored_conditions_are_explained(city, dispatcher):
    page = text(dispatcher.get("/orders/?created_from=garbage&q=" + "词" * 150))
    assert "“garbage”不是有效日期" in page
    assert "查询词过长，只按前 100 个字查询" in page
    assert "找不到主办单位" in text(dispatcher.get("/orders/?lead=不存在的单位"))


def test_created_and_due_date_ranges_use_city_days(city, new_order, dispatched_order,
                                                   dispatcher, at):
    with at(2025, 9, 10, 23, 30):
        late_evening = new_order()
    with at(2025, 9, 11, 0, 30):
        next_morning = new_order()
    page = listed(dispatcher.get("/orders/?created_from=2025-09-10&created_to=2025-09-10"))
    assert late_evening.number in page and next_morning.number not in page

    soon = dispatched_order(urgency="urgent")
    day = (clock.now() + timedelta(days=400)).date().isoformat()
    assert soon.number not in listed(dispatcher.get(f"/orders/?due_from={day}"))
    assert soon.number in listed(dispatcher.get(f"/orders/?due_to={day}"))


def test_the_list_pages_by_fifty_with_constant_queries(city, new_order, dispatcher,
                                                       django_assert_max_num_queries):
    for i in range(55):
        new_order(content=f"第{i}件：楼道灯不亮")
    with django_assert_max_num_queries(20):
        first = dispatcher.get("/orders/")
    assert "共 55 件，第 1 / 2 页" in text(first)
    assert text(first).count('<td class="num"') == 50
    second = dispatcher.get("/orders/?page=2")
    assert text(second).count('<td class="num"') == 5
    assert "第 2 / 2 页" in text(second)
