"""The duplicates panel and the incidents page: who may use them, and merging / unmerging
through them, as the timeline records it."""

import pytest
from django.urls import reverse

from minhu.core.errors import ValidationFailed
from minhu.dedup.models import Incident
from minhu.orders.actions import do_answer_directly, do_merge, do_unmerge
from minhu.orders.models import TimelineEvent, WorkOrder

LIFT = "锦绣家园3号楼电梯坏了，老人上不了楼，希望尽快修理"
WORDINGS = ["电梯又停运了，住高层实在爬不动", "锦绣家园电梯门关不上，一直报警",
            "我们单元电梯天天出故障，差点困人"]


@pytest.fixture
def incident(new_order, at):
    """Four callers about one broken lift at 锦绣家园 within a morning."""
    orders = []
    with at(2026, 3, 2, 8):
        orders.append(new_order(content=LIFT, citizen_phone="13900000001"))
    for i, text in enumerate(WORDINGS):
        with at(2026, 3, 2, 9 + i):
            orders.append(new_order(content=text, citizen_phone=f"1390000001{i}",
                                    address="锦绣家园那边"))
    return orders


def actions_of(order) -> list[str]:
    return list(TimelineEvent.objects.filter(order=order).order_by("seq")
                .values_list("action", flat=True))


def fresh(order) -> WorkOrder:
    return WorkOrder.objects.get(pk=order.pk)


def test_the_panel_lists_the_earlier_orders_with_their_reasons(client, city, incident):
    client.force_login(city.dispatcher)
    page = client.get(reverse("dedup:panel", args=[incident[-1].number]))
    assert page.status_code == 200
    html = page.content.decode()
    assert incident[0].number in html and "同一事件" in html and "文本相似" in html
    assert "并入此单" in html and f'id="dedup-{incident[-1].number}"' in html


def test_people_who_may_not_dispatch_are_refused(client, city, incident):
    for user in (city.agent, city.street_handler, city.supervisor):
        client.force_login(user)
        page = client.get(reverse("dedup:panel", args=[incident[0].number]))
        assert page.status_code == 403 and "无权" in page.content.decode()
    client.logout()
    assert client.get(reverse("dedup:panel", args=[incident[0].number])).status_code == 302


def test_an_unknown_order_gives_a_plain_message(client, city):
    client.force_login(city.dispatcher)
    page = client.get(reverse("dedup:panel", args=["YZ000"]))
    assert page.status_code == 404 and "工单不存在" in page.content.decode()


def test_merging_from_the_panel_and_taking_it_back(client, city, incident):
    first, last = incident[0], incident[-1]
    client.force_login(city.dispatcher)
    page = client.post(reverse("dedup:merge", args=[last.number]),
                       {"master": first.number, "note": "文本相似 0.70；同一小区"})
    assert page.status_code == 200 and "已并入" in page.content.decode()
    assert "minhu:order-changed" in page["HX-Trigger"]
    assert fresh(last).state == "merged" and fresh(last).master_id == first.pk
    assert actions_of(last)[-1] == "merge"
    assert actions_of(first)[-1] == "merged_in"
    assert "查重建议并单" in TimelineEvent.objects.filter(order=last).last().note

    refused = client.post(reverse("dedup:unmerge", args=[last.number]), {"reason": " "})
    assert "请填写取消并单原因" in refused.content.decode()
    assert fresh(last).state == "merged"

    page = client.post(reverse("dedup:unmerge", args=[last.number]),
                       {"reason": "不是同一部电梯"})
    assert "已取消并单" in page.content.decode()
    back = fresh(last)
    assert (back.state, back.master_id) == ("registered", None)
    assert actions_of(last)[-2:] == ["merge", "unmerge"]
    assert actions_of(first)[-1] == "unmerged_out"


def test_a_master_can_take_a_merged_order_out_from_its_own_panel(client, city, incident):
    first, second = incident[0], incident[1]
    do_merge(second, city.dispatcher, first.number)
    client.force_login(city.dispatcher)
    panel = client.get(reverse("dedup:panel", args=[first.number])).content.decode()
    assert second.number in panel and "已并入本单" in panel
    client.post(reverse("dedup:unmerge", args=[first.number]),
                {"order": second.number, "reason": "误并"})
    assert fresh(second).state == "registered"


def test_merging_into_an_order_the_dispatcher_cannot_see_is_refused(client, city, incident):
    client.force_login(city.dispatcher)
    page = client.post(reverse("dedup:merge", args=[incident[1].number]), {"master": "YZ0"})
    assert "主单不存在" in page.content.decode()
    assert fresh(incident[1]).state == "registered"


def test_the_incidents_page_merges_every_caller_into_the_master_at_once(client, city,
                                                                         incident):
    record = Incident.objects.get()
    assert record.size == 4 and record.master_id == incident[0].pk
    client.force_login(city.dispatcher)
    page = client.get(reverse("dedup:incidents")).content.decode()
    assert "全部并入主单（3 件）" in page and incident[0].number in page
    page = client.post(reverse("dedup:merge-all", args=[record.pk])).content.decode()
    assert "已将 3 件并入主单" in page
    for order in incident[1:]:
        assert fresh(order).master_id == incident[0].pk
        assert actions_of(order)[-1] == "merge"
    assert actions_of(incident[0]).count("merged_in") == 3


def test_supervisors_see_incidents_but_only_dispatchers_merge_them(client, city, incident):
    client.force_login(city.supervisor)
    page = client.get(reverse("dedup:incidents"))
    assert page.status_code == 200 and incident[0].number in page.content.decode()
    assert "全部并入主单" not in page.content.decode()
    refused = client.post(reverse("dedup:merge-all", args=[Incident.objects.get().pk]))
    assert refused.status_code == 403
    client.force_login(city.agent)
    assert client.get(reverse("dedup:incidents")).status_code == 403


def test_every_merged_caller_is_told_when_the_master_is_answered_directly(city, new_order,
                                                                          at):
    with at(2026, 3, 2, 8):
        master = new_order(content="想咨询一下锦绣家园停水什么时候恢复", request_type="consult",
                           citizen_phone="13900000001")
    with at(2026, 3, 2, 9):
        other = new_order(content="锦绣家园停水了，请问何时来水", request_type="consult",
                          citizen_phone="13900000002")
    do_merge(other, city.dispatcher, master.number)
    do_answer_directly(fresh(master), city.agent, "管道抢修，预计今晚 8 点恢复供水")
    assert actions_of(other)[-1] == "master_closed"
    assert fresh(other).reply_text.startswith("管道抢修")
    assert Incident.objects.get().is_open is False


def test_a_merge_cannot_be_undone_once_the_master_has_answered(city, new_order):
    master = new_order(content="咨询停水时间", request_type="consult")
    other = new_order(content="咨询停水时间", request_type="consult", citizen_phone="139")
    do_merge(other, city.dispatcher, master.number)
    do_answer_directly(fresh(master), city.agent, "今晚恢复")
    with pytest.raises(ValidationFailed) as refused:
        do_unmerge(fresh(other), city.dispatcher, "误并")
    assert refused.value.code == "master_closed"


def test_the_panel_counts_a_callers_repeats(client, city, new_order, at):
    with at(2026, 3, 2, 9):
        first = new_order(content=LIFT)
    with at(2026, 3, 4, 9):
        again = new_order(content="我前天反映的电梯还没修好", address="")
    client.force_login(city.dispatcher)
    html = client.get(reverse("dedup:panel", args=[again.number])).content.decode()
    assert "同一来电人第 1 次重复反映" in html
    assert "重复来电" in html and first.number in html and "同一来电号码" in html
