import time

import pytest

from minhu.triage import modelstore, rules
from minhu.triage.classify import classify
from minhu.triage.emergency import scan
from minhu.triage.types import Classification


@pytest.fixture(autouse=True)
def fresh_caches():
    modelstore.reset()
    rules.invalidate()
    rules.discard_hits()
    yield
    modelstore.reset()
    rules.invalidate()
    rules.discard_hits()


def test_classify_returns_the_shared_shape_with_ranked_guesses(city):
    result = classify("小区楼下烧烤店油烟和噪音扰民，晚上十二点还在营业")
    assert isinstance(result, Classification)
    assert len(result.categories) == 5
    assert len(result.first_levels) == 3
    assert [g.code for g in result.types]  # every request type ranked
    assert {g.code for g in result.urgencies} <= {"urgent", "pressing", "normal", "complex"}
    confidences = [g.confidence for g in result.categories]
    assert confidences == sorted(confidences, reverse=True)
    assert 0 <= sum(confidences) <= 1.0001
    assert result.model_version is None  # the built-in cold start
    assert result.categories[0].evidence.startswith("内置初始模型")


def test_first_level_is_the_parent_of_the_best_second_level(city):
    result = classify("家里的自来水从早上开始就停了，也没有停水通知")
    assert result.category.code == "SZ01"
    assert result.first_levels[0].code == "SZ"


@pytest.mark.parametrize("text, code", [
    ("我想咨询一下公积金怎么提取，需要带什么材料", "LD07"),
    ("老板拖欠我们三个月工资了，一直不发", "LD01"),
    ("家门口的井盖丢了，晚上很危险", "CG08"),
    ("电梯坏了好几天了，老人下不了楼", "CJ07"),
])
def test_common_requests_land_in_the_expected_category(city, text, code):
    assert code in [g.code for g in classify(text).categories[:3]]


def test_consultations_are_typed_as_consultations(city):
    assert classify("请问公租房申请需要什么条件？").request_type.code == "consult"


def test_a_gas_smell_is_urgent_with_the_words_as_evidence(city):
    result = classify("家里厨房闻到很浓的煤气味，赶紧派人来看看")
    assert result.urgency.code == "urgent"
    assert result.urgency.confidence >= 0.9
    assert "燃气泄漏" in result.urgency.evidence


@pytest.mark.parametrize("text", ["燃气费怎么交", "昨天漏气，今天已修好了",
                                  "没有闻到煤气味，只是想问问燃气表怎么换"])
def test_fees_and_finished_problems_are_not_forced_urgent(city, text):
    assert not scan(text)
    assert classify(text).urgency.evidence.startswith("内置初始模型")


@pytest.mark.parametrize("text", [
    "电梯困人了，有个老人被关在里面二十分钟了",
    "下大雨水倒灌进屋，家里全淹了",
    "整栋楼暖气都不热，老人孩子冻得受不了",
    "楼道里着火了，好多浓烟",
    "路边的电线掉在地上还在冒火花",
    "小区门口道路塌陷了一个大坑",
    "一个老人摔倒在地起不来了",
    "我家孩子放学到现在都没回家，找不到了",
])
def test_emergencies_are_forced_urgent(city, text):
    assert classify(text).urgency.code == "urgent"


def test_the_title_counts(city):
    result = classify("如题，麻烦尽快处理", title="小区门口井盖丢了")
    assert result.category.code == "CG08"


def test_empty_text_still_answers(city):
    result = classify("")
    assert result.categories and result.types and result.urgencies


def test_classify_is_fast_once_loaded(city):
    classify("预热")
    text = "小区楼下烧烤店油烟和噪音扰民，晚上十二点还在营业，希望有关部门尽快处理，" * 2
    times = []
    for _ in range(50):
        started = time.perf_counter()
        classify(text[:100])
        times.append(time.perf_counter() - started)
    times.sort()
    assert times[25] < 0.01  # the target is 3 ms; a loaded test machine gets slack


@pytest.mark.parametrize("text", [
    "前天我被困电梯二十分钟，后来出来了，想投诉维保单位响应太慢",
    "上次暴雨我们家被淹了，想申请补助",
    "路边有棵树歪了，还没倒，下面停着车",
    "想问问孩子丢了身份证怎么补",
    "燃气灶打不着，燃气表显示有气，闻着没味道，想找人来看",
])
def test_past_hedged_and_paperwork_mentions_are_not_emergencies(text):
    assert scan(text) == []


def test_a_long_letter_mentioning_a_danger_in_passing_is_not_an_emergency():
    letter = ("关于小区规划的建议。" + "我们小区的道路规划不合理，希望有关部门重新研究。" * 6
              + "去年隔壁小区起火时消防车进不来。")
    assert len(letter) > 160
    assert scan(letter) == []
    assert scan(letter + "现在楼下又着火了，赶紧来人！")


@pytest.mark.parametrize("text, code", [
    ("咨询公租房申请条件。我想了解一下需要哪些材料", "consult"),
    ("投诉某小区物业乱收费。物业今年突然涨价", "complaint"),
    ("建议在学校门口增设红绿灯。早晚高峰车太多", "suggestion"),
    ("举报某工地夜间偷排泥浆。每天晚上都有车", "report"),
])
def test_the_opening_words_decide_the_request_type(city, text, code):
    result = classify(text)
    assert result.request_type.code == code
    assert result.request_type.evidence.startswith("诉求用语")


def test_the_title_is_where_type_cues_are_read_when_given(city):
    result = classify("小区门口的路灯坏了一个月了", title="建议尽快维修路灯")
    assert result.request_type.code == "suggestion"


@pytest.mark.parametrize("text", [
    "我爸一个人在轿厢里，按铃没人理，已经半小时了",
    "厨房里那股味道很冲，我不敢开灯也不敢开抽油烟机",
    "家里生着蜂窝煤炉子，我和孩子都头疼想吐",
    "我奶奶有老年痴呆，早上出门到现在没找着",
    "工人下到地窖里半天没上来，喊也不应",
    "河堤下面往外渗水，越渗越多",
])
def test_emergencies_told_without_the_usual_alarm_words_are_found(text):
    assert scan(text)


@pytest.mark.parametrize("text", [
    "有人在电梯里抽烟，太没素质了",
    "孩子的作业本找不着了，学校能补吗",
    "不敢开火做饭，燃气公司说停气检修",
    "隔壁工厂电焊电弧光刺眼，晚上也施工扰民",
    "下穿隧道每次下雨积水都很深，建议改造排水",
])
def test_look_alikes_of_the_situation_patterns_are_not_emergencies(text):
    assert not scan(text)


def test_a_negated_situation_is_not_an_emergency():
    assert not scan("炉子旁边待了一晚上，没有头晕也不恶心")


def test_urgent_leads_when_its_probability_reaches_the_recall_threshold(monkeypatch):
    from minhu.triage import classify as classify_module
    from minhu.triage.types import Guess

    guesses = [Guess("normal", 0.6, "m"), Guess("urgent", 0.2, "m"), Guess("pressing", 0.2, "m")]
    assert classify_module._recall_first(guesses)[0].code == "urgent"
    monkeypatch.setattr(classify_module, "URGENT_RECALL_THRESHOLD", 0.3)
    assert classify_module._recall_first(guesses)[0].code == "normal"
