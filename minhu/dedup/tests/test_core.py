"""The detection core decides without a database: repeats, incidents, and the near-misses
that must stay apart."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from minhu.dedup import core

T0 = datetime(2026, 3, 2, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
LIFT = "锦绣家园3号楼电梯坏了，老人上不了楼，希望尽快修理"


def sig(key, text, address="", *, hours=0.0, phone="", **kw):
    return core.signature(key, T0 + timedelta(hours=hours), text, address, phone=phone, **kw)


def test_another_caller_about_the_same_problem_at_the_same_compound_is_one_incident():
    first = sig(1, LIFT, "东城区文昌街道锦绣家园3号楼", phone="13900000001")
    second = sig(2, "电梯又停运了，住高层实在爬不动", "锦绣家园那边", hours=3, phone="13900000002")
    decision = core.compare(second, first)
    assert decision.kind == "incident"
    assert decision.reason.startswith("文本相似 ")
    assert "同一小区" in decision.reason and "间隔 3 小时" in decision.reason


def test_the_same_caller_again_about_the_same_matter_is_a_repeat_even_without_an_address():
    first = sig(1, LIFT, "锦绣家园", phone="13900000001")
    again = sig(2, "我前天反映的电梯还没修好", hours=48, phone="13900000001")
    decision = core.compare(again, first)
    assert decision.kind == "repeat"
    assert decision.reason.endswith("同一来电号码")


def test_the_same_compound_with_a_different_problem_does_not_match():
    lift = sig(1, LIFT, "锦绣家园")
    garbage = sig(2, "小区垃圾好几天没人清运，臭味很大", "锦绣家园", hours=2)
    assert core.compare(garbage, lift) is None


def test_the_same_problem_in_another_compound_does_not_match():
    lift = sig(1, LIFT, "锦绣家园")
    other = sig(2, "电梯坏了好几天，老人上不了楼", "翠苑小区", hours=2)
    assert core.compare(other, lift) is None


def test_the_same_problem_at_the_same_place_months_later_does_not_match():
    lift = sig(1, LIFT, "锦绣家园", phone="13900000001")
    later = sig(2, "电梯坏了，老人上不了楼", "锦绣家园", hours=24 * 120)
    assert core.compare(later, lift) is None
    # Not even from the same caller, once the earlier request is long over.
    same_caller = sig(3, "电梯坏了，老人上不了楼", "锦绣家园", hours=24 * 120, phone="13900000001")
    assert core.compare(same_caller, lift) is None


def test_an_incident_keeps_growing_while_calls_keep_coming():
    calls = [sig(i, "锦绣家园停水了，家里一滴水都没有", "锦绣家园", hours=i * 60)
             for i in range(4)]
    # Each call is within the window of the one before, though the last is 180 h after the first.
    assert all(core.compare(calls[i + 1], calls[i]) for i in range(3))
    assert core.compare(calls[3], calls[0]) is None


def test_a_repeat_counts_while_the_earlier_request_is_open_or_within_30_days_of_closing():
    first = sig(1, LIFT, "锦绣家园", phone="13900000001")
    again = sig(2, "电梯还是坏的", hours=24 * 90, phone="13900000001")
    first.is_open = True
    assert core.compare(again, first).kind == "repeat"
    first.is_open, first.closed_at = False, T0 + timedelta(days=70)
    assert core.compare(again, first).kind == "repeat"
    first.closed_at = T0 + timedelta(days=50)
    assert core.compare(again, first) is None


def test_the_same_caller_about_another_matter_is_not_a_repeat():
    first = sig(1, LIFT, "锦绣家园", phone="13900000001")
    other = sig(2, "公司拖欠我三个月工资", hours=30, phone="13900000001")
    assert core.compare(other, first) is None


def test_coordinates_decide_when_no_place_name_is_known():
    a = sig(1, "这里路面塌陷了一个大坑", lat=30.2800, lng=120.1700)
    near = sig(2, "路中间塌了个大坑很危险", hours=5, lat=30.2805, lng=120.1702)
    far = sig(3, "路中间塌了个大坑很危险", hours=5, lat=30.3000, lng=120.1900)
    decision = core.compare(near, a)
    assert decision.kind == "incident" and "相距" in decision.reason
    assert core.compare(far, a) is None


def test_places_come_from_the_address_first_and_are_removed_before_comparing():
    places, surfaces = core.places_in("东城区文昌街道锦绣家园3号楼", "翠苑小区的朋友说锦绣家园停水")
    assert places == {"n:锦绣家园"}
    text = core.problem_text("锦绣家园小区停水了，希望尽快处理", surfaces)
    assert "锦绣" not in text and "处理" not in text and "停水" in text


def test_a_gazetteer_maps_names_and_aliases_to_one_place():
    gazetteer = core.Gazetteer({"锦绣家园": "c:7", "锦绣家园小区": "c:7", "人民路": "r:3"})
    a = sig(1, LIFT, "锦绣家园小区北门", gazetteer=gazetteer)
    assert a.places == {"c:7"}
    assert core.same_place_text(a.places) == "同一小区"
    assert core.same_place_text({"r:3"}) == "同一道路"


def test_different_first_level_categories_ask_for_closer_texts():
    lift = sig(1, LIFT, "锦绣家园", category1="CJ")
    same = sig(2, "电梯又停运了，住高层实在爬不动", "锦绣家园", hours=2, category1="CJ")
    other = sig(3, "电梯又停运了，住高层实在爬不动", "锦绣家园", hours=2, category1="CS")
    assert core.compare(same, lift) is not None
    assert core.compare(other, lift) is None
