"""Unreasonable-request hints: abusive language, matters outside government duty, and the
same demand again after a final answer. Hints only: nothing is marked on its own."""

import time

import pytest

from minhu.orders.actions import (
    do_answer_directly,
    do_mark_unreasonable,
    do_review_unreasonable,
)
from minhu.orders.states import ReviewStatus
from minhu.triage import flags
from minhu.triage.flags import abusive_flag, flags_for, outside_duty_flag

NOISE = "锦绣家园楼下烧烤店油烟和噪音扰民，每天晚上十二点还在营业"
NOISE_AGAIN = "市民来电反映：锦绣家园楼下烧烤店又在营业，油烟噪音扰民到半夜十二点，请相关部门处理"
LAMP = "锦绣家园小区门口的路灯坏了好几天了，晚上很黑，老人出门不安全"


# --- Abusive language ---------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "你们这帮傻逼什么时候能修好路灯",
    "傻*逼政府，一点用没有",
    "操 你 妈，再不处理我就去找你们",
    "你们SB吗，说了多少遍了",
    "你们就是一群废物",
    "他妈的，路灯又坏了",
    "ｃｎｍ，快点修",
])
def test_insults_against_the_hotline_are_flagged_with_the_word_masked(text):
    hint = abusive_flag(text)
    assert hint is not None and hint.code == "abusive"
    assert "辱骂" in hint.reason and "*" in hint.reason
    assert "傻逼" not in hint.reason and "废物" not in hint.reason


def test_a_threat_is_called_a_threat():
    hint = abusive_flag("再不处理我就炸了你们，我跟你们同归于尽")
    assert "威胁" in hint.reason and "“炸***”" in hint.reason


def test_a_citizen_quoting_abuse_they_received_gets_a_hint_phrased_as_a_complaint():
    hint = abusive_flag("物业保安他骂我傻X，还推了我一把，要求处理")
    assert hint is not None and hint.code == "abusive"
    assert hint.reason.startswith("内容转述他人的辱骂或威胁")
    assert hint.reason.endswith("多为对被辱骂的投诉，一般不属不合理诉求")
    threat = abusive_flag("隔壁装修工人威胁说要弄死你们全家，我很害怕")
    assert threat.reason.startswith("内容转述")


def test_insults_aimed_at_staff_are_told_apart_from_venting():
    at_staff = abusive_flag("你们这帮傻逼什么时候能修好路灯")
    assert at_staff.reason.startswith("诉求内容含针对工作人员或政府的辱骂用语")
    venting = abusive_flag("路口没有红绿灯，一天差点撞两次，心里一万个草泥马")
    assert "未明确针对工作人员" in venting.reason and "“草**”" in venting.reason


@pytest.mark.parametrize("text", [
    "按照 SB/T 10720 标准，这个分拣中心面积不达标",
    "小区垃圾站臭气熏天，垃圾没人清理",
    "城管是垃圾分类的主管部门吗",
    "他妈的医保卡丢了怎么补办",
    "家畜生产补贴什么时候发放",
    "水管炸了，家里进水了",
    "楼下USB充电桩坏了",
    "邻居家的狗叫扰民，晚上睡不着",
    "废物回收站占道经营",
    "我觉得政府是猪肉价格的调控者，最近涨太多",
])
def test_ordinary_words_that_contain_the_characters_are_not_flagged(text):
    assert abusive_flag(text) is None


# --- Outside government duty ---------------------------------------------------------

@pytest.mark.parametrize("text, what", [
    ("朋友借了我三万块钱一直不还，要求政府帮我要回来", "私人借贷"),
    ("邻居借钱不还，我找政府要", "私人借贷"),
    ("离婚后夫妻共同财产分割不公平，要求政府做主", "婚姻家庭"),
    ("我三十多岁了，要求政府帮我找对象", "找对象"),
    ("请你们帮我买彩票", "彩票"),
    ("和对方公司的合同纠纷已经起诉，法院审理中，要求政府督促对方付款", "诉讼"),
    ("要求撤销法院判决，判得不公", "法院判决"),
])
def test_private_matters_are_flagged_as_maybe_outside_government_duty(text, what):
    hint = outside_duty_flag(text)
    assert hint is not None and hint.code == "outside_duty"
    assert what in hint.reason and "诉讼解决" in hint.reason


@pytest.mark.parametrize("text", [
    "包工头拖欠农民工工资不还，借钱给他干活的钱也不还",
    "公司欠薪三个月，老板借钱不还还跑路了",
    "村委会借了我的钱不还",
    "被人以借钱为名诈骗五万元",
    "离婚后前夫经常上门殴打我，家暴",
    "楼下彩票店夜里噪音扰民",
    "邻居家装修噪音扰民",
    "购房合同只签了我老公的名字，属于夫妻共同财产，购房补贴为什么申请不到",
    "有人假离婚骗取保障房资格，离婚后马上分到房子",
    "街道工作人员借钱不还，影响很坏",
])
def test_a_public_element_keeps_the_matter_within_government_duty(text):
    assert outside_duty_flag(text) is None


def test_text_checks_are_fast():
    text = ("市民来电反映：" + NOISE + "，你们这帮人什么时候管一管，借钱不还的事也说一下。") * 6
    start = time.perf_counter()
    for _ in range(200):
        abusive_flag(text)
        outside_duty_flag(text)
    per_call_ms = (time.perf_counter() - start) * 1000 / 200
    assert per_call_ms < 2


# --- The same demand after a final answer ------------------------------------------

def _final_by_review(order, city):
    do_mark_unreasonable(order, city.agent, "同一诉求已多次答复到位")
    return do_review_unreasonable(order, city.supervisor, approve=True, note="认定")


def test_same_caller_same_matter_after_an_approved_unreasonable_flag_is_hinted(city, new_order,
                                                                               at):
    with at(2026, 10, 3, 10):
        first = _final_by_review(new_order(content=NOISE), city)
    assert first.unreasonable == ReviewStatus.APPROVED
    with at(2026, 10, 9, 10):
        new_order(content=NOISE_AGAIN)
    with at(2026, 10, 20, 9):
        now = new_order(content=NOISE_AGAIN)
        hints = {h.code: h for h in flags_for(now)}
    assert hints["repeat_after_final"].reason == (
        f"同一来电人就同一诉求已于 2026-10-03 终结答复（工单 {first.number}），此后第 2 次反映")


def test_a_direct_answer_counts_as_final(city, new_order, at):
    question = "请问锦绣家园附近的社区卫生服务中心周末几点开门，能不能打疫苗"
    with at(2026, 10, 3, 10):
        first = new_order(content=question, request_type="consult", category=None)
        do_answer_directly(first, city.agent, "周末上午八点至十二点开放，可接种疫苗")
    with at(2026, 10, 4, 10):
        again = new_order(content="锦绣家园附近社区卫生服务中心周末几点开门？能打疫苗吗",
                          request_type="consult", category=None)
        reason = flags.repeat_flag(again).reason
    assert first.number in reason and "第 1 次" in reason


def test_an_earlier_order_still_being_handled_is_not_a_final_answer(new_order, at):
    with at(2026, 10, 3, 10):
        new_order(content=NOISE)
    with at(2026, 10, 4, 10):
        assert flags.repeat_flag(new_order(content=NOISE_AGAIN)) is None


def test_a_different_matter_from_the_same_phone_is_not_a_repeat(city, new_order, at):
    with at(2026, 10, 3, 10):
        _final_by_review(new_order(content=NOISE), city)
    with at(2026, 10, 4, 10):
        assert flags.repeat_flag(new_order(content=LAMP)) is None


def test_another_problem_at_the_same_place_and_hour_is_not_a_repeat(city, new_order, at):
    with at(2026, 10, 3, 10):
        _final_by_review(new_order(content=NOISE), city)
    with at(2026, 10, 4, 10):
        lamp = new_order(content="锦绣家园楼下的路灯坏了，每天晚上十二点以后漆黑一片")
        assert flags.repeat_flag(lamp) is None


def test_without_the_dedup_app_plain_bigrams_still_find_the_repeat(city, new_order, at,
                                                                    monkeypatch):
    monkeypatch.setattr(flags, "_dedup_core", lambda: None)
    with at(2026, 10, 3, 10):
        first = _final_by_review(new_order(content=NOISE), city)
    with at(2026, 10, 4, 10):
        assert first.number in flags.repeat_flag(new_order(content=NOISE_AGAIN)).reason
        assert flags.repeat_flag(new_order(content=LAMP)) is None


def test_an_anonymous_caller_is_never_linked_to_earlier_orders(city, new_order, at):
    with at(2026, 10, 3, 10):
        _final_by_review(new_order(content=NOISE), city)
    with at(2026, 10, 4, 10):
        anonymous = new_order(content=NOISE_AGAIN, is_anonymous=True)
        assert flags.repeat_flag(anonymous) is None
        assert flags.repeat_flag(new_order(content=NOISE_AGAIN, citizen_phone="")) is None


def test_another_callers_final_answer_does_not_count(city, new_order, at):
    with at(2026, 10, 3, 10):
        _final_by_review(new_order(content=NOISE, citizen_phone="13900001111"), city)
    with at(2026, 10, 4, 10):
        assert flags.repeat_flag(new_order(content=NOISE_AGAIN)) is None


def test_the_repeat_check_is_one_query(city, new_order, at, django_assert_num_queries):
    with at(2026, 10, 3, 10):
        _final_by_review(new_order(content=NOISE), city)
    with at(2026, 10, 4, 10):
        order = new_order(content=NOISE_AGAIN)
    with django_assert_num_queries(1):
        assert [h.code for h in flags_for(order)] == ["repeat_after_final"]


def test_flags_are_only_hints_and_change_nothing(city, new_order):
    order = new_order(content="你们这帮傻逼，朋友借钱不还你们也不管")
    codes = sorted(h.code for h in flags_for(order))
    assert codes == ["abusive", "outside_duty"]
    order.refresh_from_db()
    assert order.unreasonable == "" and order.event_count == 1


def test_a_person_who_agrees_proposes_the_flag_with_the_hint_as_reason(city, new_order):
    order = new_order(content="你们这帮傻逼，朋友借了我三万块钱不还你们也不管")
    for hint in flags_for(order):
        assert len(hint.reason) <= 200
    reason = flags_for(order)[0].reason
    order = do_mark_unreasonable(order, city.agent, reason)
    assert order.unreasonable == ReviewStatus.PENDING and order.unreasonable_reason == reason
