"""The closed loop through the actions, one story per capability, asserting on the
timeline as well as on the order."""

from datetime import timedelta

import pytest

from minhu.core.errors import Forbidden, TransitionError, ValidationFailed
from minhu.notices.models import Notice
from minhu.orders import actions as a
from minhu.orders.models import Callback


def actions_of(order):
    return list(order.events.order_by("seq").values_list("action", flat=True))


def handle_and_reply(order, city, text="已协调处理完毕"):
    a.do_sign(order, city.street_handler)
    return a.do_reply(order, city.street_handler, text, solved=True,
                      handler_name="刘洋", handler_phone="0571-88001234")


def test_an_agent_answers_a_consultation_on_the_spot_and_closes_it(city, new_order):
    order = new_order(request_type="consult", content="居住证办理需要哪些材料？")
    order = a.do_answer_directly(order, city.agent, "携带身份证、租房合同到社区服务中心办理")
    assert order.state == "closed" and order.close_reason == "direct"
    assert actions_of(order) == ["register", "answer_directly"]


def test_a_complaint_cannot_be_answered_directly(city, new_order):
    with pytest.raises(ValidationFailed, match="不能直接答复"):
        a.do_answer_directly(new_order(), city.agent, "已知悉")


def test_satisfied_callback_closes_the_order_and_records_first_pass_satisfaction(
        city, dispatched_order):
    order = handle_and_reply(dispatched_order(), city)
    order = a.do_callback(order, city.callback_agent, reached=True, resolved="yes",
                          satisfaction="basic", scores={"attitude": 5, "speed": 4})
    assert order.state == "closed" and order.first_satisfaction == "basic"
    assert Callback.objects.get(order=order).scores == {"attitude": 5, "speed": 4}
    assert actions_of(order) == ["register", "dispatch", "sign", "reply", "callback"]


def test_an_unreached_citizen_is_scheduled_for_a_retry_and_the_order_keeps_waiting(
        city, dispatched_order, at):
    with at(2025, 6, 2, 9):
        order = handle_and_reply(dispatched_order(), city)
        order = a.do_callback(order, city.callback_agent, reached=False, note="无人接听")
    attempt = Callback.objects.get(order=order)
    assert order.state == "replied" and not attempt.reached
    assert attempt.retry_at - attempt.at == timedelta(hours=4)


def test_dissatisfaction_reopens_to_the_same_unit_and_first_pass_rate_remembers_it(
        city, dispatched_order, django_capture_on_commit_callbacks):
    order = handle_and_reply(dispatched_order(), city)
    a.do_callback(order, city.callback_agent, reached=True, resolved="no",
                  satisfaction="dissatisfied")
    with django_capture_on_commit_callbacks(execute=True):
        order = a.do_review_dissatisfaction(order, city.supervisor, reopen=True,
                                            note="确未解决")
    assert order.state == "dispatched" and order.reopen_count == 1
    handle_and_reply(order, city, "已再次上门处理")
    order = a.do_callback(order, city.callback_agent, reached=True, resolved="yes",
                          satisfaction="satisfied")
    assert (order.first_satisfaction, order.satisfaction) == ("dissatisfied", "satisfied")
    assert Notice.objects.filter(unit=city.unit("DC01"), kind="reopened").exists()


def test_a_co_handler_replies_to_the_lead_and_the_leads_reply_answers_the_order(
        city, dispatched_order):
    order = dispatched_order(lead="DC01", co=["CGJ"])
    a.do_sign(order, city.department_handler)
    a.do_sign(order, city.street_handler)
    a.do_reply(order, city.department_handler, "已对店铺立案查处", solved=True)
    order.refresh_from_db()
    assert order.state == "handling"
    order = a.do_reply(order, city.street_handler, "店铺已整改", solved=True)
    assert order.state == "replied" and order.reply_unit.code == "DC01"
    assert actions_of(order)[-2:] == ["co_reply", "reply"]


def test_a_return_is_approved_and_reassigned_with_a_fresh_clock(city, dispatched_order, at):
    with at(2025, 6, 2, 9):
        order = dispatched_order(lead="CGJ")
    with at(2025, 6, 4, 9):
        a.do_return(order, city.department_handler, "属于街道属地管理的油烟噪声问题")
        order = a.do_review_return(order, city.dispatcher, approve=True,
                                   lead_unit=city.unit("DC01").pk, note="改派属地街道")
    assert order.lead_unit.code == "DC01" and order.state == "dispatched"
    assert order.due_at.date().isoformat() == "2025-06-11"
    assert actions_of(order) == ["register", "dispatch", "return", "review_return"]


def test_a_rejected_return_goes_back_to_the_unit_in_its_earlier_state(city, dispatched_order):
    order = dispatched_order()
    a.do_sign(order, city.street_handler)
    a.do_return(order, city.street_handler, "该店铺位于相邻街道辖区内")
    order = a.do_review_return(order, city.dispatcher, approve=False, note="地址核实在本辖区")
    assert order.state == "handling"
    assert order.assignments.get(role="lead").state == "handling"


def test_a_return_needs_a_real_reason(city, dispatched_order):
    with pytest.raises(ValidationFailed, match="理由"):
        a.do_return(dispatched_order(), city.street_handler, "不是")


def test_street_sub_dispatches_to_community_which_reports_back_up(city, dispatched_order):
    order = dispatched_order()
    a.do_sign(order, city.street_handler)
    child = a.do_sub_dispatch(order, city.street_handler, city.unit("DC0101").pk, "请上门核实")
    assert child.number == f"{order.number}-1" and child.state == "dispatched"
    community = city.user("dc0101_handler")
    a.do_sign(child, community)
    child = a.do_report_up(child, community, "需要执法力量，社区无法处理")
    assert child.state == "closed" and child.close_reason == "reported_up"
    assert actions_of(order)[-2:] == ["sub_dispatch", "sub_reported_up"]
    assert actions_of(child) == ["sub_created", "sign", "report_up"]


def test_a_unit_cannot_sub_dispatch_sideways(city, dispatched_order):
    order = dispatched_order()
    a.do_sign(order, city.street_handler)
    with pytest.raises(ValidationFailed, match="下级单位"):
        a.do_sub_dispatch(order, city.street_handler, city.unit("DC0201").pk, "请核实")


def test_a_street_that_cannot_solve_it_reports_up_to_the_dispatcher(city, dispatched_order):
    order = dispatched_order()
    a.do_sign(order, city.street_handler)
    order = a.do_report_up(order, city.street_handler, "涉及全市管网改造，街道无力解决")
    assert order.state == "return_review"
    assert order.returns.get().kind == "report_up"


def test_the_street_blows_the_whistle_and_the_department_reports_in(city, dispatched_order):
    order = dispatched_order()
    a.do_sign(order, city.street_handler)
    a.do_summon(order, city.street_handler, [city.unit("CGJ").pk], "占道经营需执法")
    summoned = order.assignments.get(unit__code="CGJ")
    assert summoned.role == "summoned" and summoned.sign_due_at is not None
    a.do_report_in(order, city.department_handler, "执法中队已到场")
    a.do_reply(order, city.department_handler, "已依法处置", solved=True)
    assert actions_of(order)[-3:] == ["summon", "report_in", "co_reply"]


def test_only_streets_may_summon_departments(city, dispatched_order):
    order = dispatched_order(lead="CGJ")
    a.do_sign(order, city.department_handler)
    with pytest.raises(ValidationFailed, match="街道"):
        a.do_summon(order, city.department_handler, [city.unit("CGJ").pk], "需要协助")


def test_supervision_urges_lists_and_escalates(city, dispatched_order):
    order = dispatched_order()
    a.do_urge(order, city.supervisor, "notice", "请于今日内答复")
    a.do_supervise(order, city.supervisor, "群众反映强烈")
    order = a.do_escalate(order, city.supervisor, city.unit("DC").pk, "跨街道问题提级区级办理")
    assert order.is_supervised and order.is_escalated and order.urge_count == 1
    assert order.lead_unit.code == "DC"
    assert order.assignments.get(unit__code="DC01").role == "co"
    assert actions_of(order)[-3:] == ["urge", "supervise", "escalate"]


def test_escalation_must_go_up(city, dispatched_order):
    with pytest.raises(ValidationFailed, match="更高层级"):
        a.do_escalate(dispatched_order(), city.supervisor, city.unit("DC0101").pk, "提级")


def test_merged_duplicates_get_the_masters_result_and_their_citizens_are_told(
        city, new_order, dispatched_order, django_capture_on_commit_callbacks):
    master = dispatched_order()
    duplicate = new_order(citizen_phone="13900001111")
    with django_capture_on_commit_callbacks(execute=True):
        duplicate = a.do_merge(duplicate, city.dispatcher, master.number, "同一店铺油烟问题")
        assert duplicate.state == "merged"
        handle_and_reply(master, city, "店铺已停业整改")
        a.do_callback(master, city.callback_agent, reached=True, resolved="yes",
                      satisfaction="satisfied")
    duplicate.refresh_from_db()
    assert duplicate.reply_text == "店铺已停业整改" and duplicate.closed_at is not None
    assert actions_of(duplicate) == ["register", "merge", "master_closed"]
    assert Notice.objects.filter(order=duplicate, kind="citizen_result").count() == 1


def test_unreasonable_requests_are_proposed_and_decided_by_a_supervisor(city, dispatched_order):
    order = dispatched_order()
    a.do_mark_unreasonable(order, city.street_handler, "同一诉求已多次答复，仍反复来电")
    order.refresh_from_db()
    assert order.unreasonable == "pending"
    with pytest.raises(Forbidden):
        a.do_review_unreasonable(order, city.street_handler, approve=True)
    order = a.do_review_unreasonable(order, city.supervisor, approve=True, note="认定")
    assert order.unreasonable == "approved"


def test_a_citizen_withdraws_and_the_unit_is_told(city, dispatched_order):
    order = a.do_withdraw(dispatched_order(), city.agent, "问题已自行解决")
    assert order.state == "withdrawn"
    assert not order.assignments.filter(state__in=["pending_sign", "handling"]).exists()
    with pytest.raises(TransitionError, match="已撤单"):
        a.do_sign(order, city.street_handler)


def test_a_citizen_may_reopen_within_the_window_but_not_after(city, dispatched_order, at):
    with at(2025, 6, 2, 9):
        order = handle_and_reply(dispatched_order(), city)
        a.do_callback(order, city.callback_agent, reached=True, resolved="partly",
                      satisfaction="basic")
    with at(2025, 6, 5, 9):
        order = a.do_citizen_reopen(order, city.agent, "店铺又开始夜间营业")
    assert order.state == "dispatched" and order.reopen_count == 1
    handle_and_reply(order, city)
    with at(2025, 6, 5, 10):
        a.do_callback(order, city.callback_agent, reached=True, resolved="yes",
                      satisfaction="satisfied")
    with at(2025, 6, 20, 9), pytest.raises(ValidationFailed, match="期限"):
        a.do_citizen_reopen(order, city.agent, "又出现了")


def test_the_same_external_id_from_a_channel_is_one_order(city, new_order):
    first = new_order(channel="wechat", external_id="wx-1001")
    again = new_order(channel="wechat", external_id="wx-1001", content="重复推送")
    other_channel = new_order(channel="province", external_id="wx-1001")
    assert first.pk == again.pk and other_channel.pk != first.pk


def test_registration_rejects_empty_and_oversized_content_with_a_clear_message(city, new_order):
    with pytest.raises(ValidationFailed, match="请填写诉求内容"):
        new_order(content="   ")
    with pytest.raises(ValidationFailed, match="过长"):
        new_order(content="噪" * 5001)


def test_open_sub_orders_are_recalled_when_the_lead_answers_the_citizen(city, dispatched_order):
    order = dispatched_order()
    a.do_sign(order, city.street_handler)
    child = a.do_sub_dispatch(order, city.street_handler, city.unit("DC0101").pk, "请核实")
    a.do_reply(order, city.street_handler, "已由街道直接处理", solved=True)
    child.refresh_from_db()
    assert child.state == "closed" and child.close_reason == "recalled"
    assert not child.assignments.filter(state__in=["pending_sign", "handling"]).exists()


def test_a_reopened_master_that_closes_again_tells_merged_citizens_again(
        city, new_order, dispatched_order, django_capture_on_commit_callbacks):
    master = dispatched_order()
    duplicate = new_order(citizen_phone="13900002222")
    with django_capture_on_commit_callbacks(execute=True):
        a.do_merge(duplicate, city.dispatcher, master.number)
        handle_and_reply(master, city)
        a.do_callback(master, city.callback_agent, reached=True, resolved="no",
                      satisfaction="dissatisfied")
        a.do_review_dissatisfaction(master, city.supervisor, reopen=False, note="已尽力")
        a.do_citizen_reopen(master, city.agent, "问题反复")
        handle_and_reply(master, city, "彻底解决")
        a.do_callback(master, city.callback_agent, reached=True, resolved="yes",
                      satisfaction="satisfied")
    assert Notice.objects.filter(order=duplicate, kind="citizen_result").count() == 2


def test_the_first_run_seeders_cope_with_flush_which_sends_no_apps(city):
    from minhu.catalog.apps import seed_on_first_migrate
    from minhu.catalog.models import RequestType
    from minhu.workcal.apps import seed_on_first_migrate as seed_calendar

    seed_on_first_migrate(sender=None, verbosity=0)
    seed_calendar(sender=None, verbosity=0)
    assert RequestType.objects.exists()
