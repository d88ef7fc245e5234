import pytest

from minhu.triage import modelstore, rules
from minhu.triage.classify import classify
from minhu.triage.models import KeywordRule
from minhu.triage.rules import parse_pattern


@pytest.fixture(autouse=True)
def fresh_caches():
    modelstore.reset()
    rules.invalidate()
    rules.discard_hits()
    yield
    rules.invalidate()
    rules.discard_hits()


def _rule(**fields):
    defaults = dict(name="规则", pattern="", target="category", value="SZ04", priority=100)
    defaults.update(fields)
    return KeywordRule.objects.create(**defaults)


def test_patterns_read_bars_as_any_and_pluses_as_all():
    assert parse_pattern("燃气+泄漏|煤气味") == (("燃气", "泄漏"), ("煤气味",))
    assert parse_pattern(" a ｜ b＋c |") == (("a",), ("b", "c"))
    assert parse_pattern("") == ()


def test_a_category_rule_beats_the_model_and_names_itself(city):
    _rule(name="共享单车归城管", pattern="共享单车", value="CG09")
    result = classify("家门口的自来水停了，共享单车也堆满了")
    assert result.category.code == "CG09"
    assert result.category.confidence >= 0.95
    assert result.first_levels[0].code == "CG"
    assert "共享单车归城管" in result.category.evidence
    assert result.rule_hits == ["共享单车归城管"]


def test_all_words_of_a_plus_pattern_must_occur(city):
    _rule(name="燃气泄漏", pattern="燃气+泄漏", target="urgency", value="pressing")
    assert classify("燃气表坏了").rule_hits == []
    assert classify("燃气管道泄漏检修后想问问费用").rule_hits == ["燃气泄漏"]


def test_an_exclude_word_silences_the_rule(city):
    _rule(name="噪音", pattern="噪音", exclude="工厂|厂区", value="CG01")
    assert classify("工厂噪音太大").rule_hits == []
    assert classify("楼上噪音太大").rule_hits == ["噪音"]


def test_the_first_rule_by_priority_wins_per_target(city):
    _rule(name="低优先", pattern="停水", value="SZ02", priority=50)
    _rule(name="高优先", pattern="停水", value="SZ01", priority=10)
    _rule(name="类型", pattern="停水", target="type", value="help")
    result = classify("小区又停水了")
    assert result.category.code == "SZ01"
    assert result.request_type.code == "help"
    assert result.rule_hits == ["高优先", "类型"]


def test_inactive_rules_do_not_fire(city):
    _rule(name="停用", pattern="停水", value="SZ02", is_active=False)
    assert classify("小区又停水了").rule_hits == []


def test_saving_or_deleting_a_rule_takes_effect_at_once(city):
    assert classify("小区又停水了").rule_hits == []  # rules are now cached
    rule = _rule(name="新规则", pattern="停水", value="SZ02")
    assert classify("小区又停水了").rule_hits == ["新规则"]
    rule.delete()
    assert classify("小区又停水了").rule_hits == []


def test_a_rule_cannot_talk_an_emergency_down(city):
    _rule(name="燃气一般", pattern="煤气", target="urgency", value="normal")
    result = classify("家里闻到很浓的煤气味")
    assert result.urgency.code == "urgent"
    assert "燃气一般" in result.rule_hits


def test_hits_are_counted_in_batches(city):
    rule = _rule(name="计数", pattern="停水", value="SZ01")
    for _ in range(3):
        classify("小区又停水了")
    rules.flush_hits()
    rule.refresh_from_db()
    assert rule.hits == 3


def test_the_admin_refuses_a_value_that_is_not_a_code(city, client):
    client.force_login(city.user("admin"))
    response = client.post("/admin/triage/keywordrule/add/", {
        "name": "坏规则", "pattern": "停水", "exclude": "", "target": "category",
        "value": "XX99", "priority": 100, "is_active": "on"})
    assert response.status_code == 200
    assert "不是有效的分类编码" in response.content.decode()
    assert not KeywordRule.objects.filter(name="坏规则").exists()


def test_the_admin_refuses_an_empty_pattern(city, client):
    client.force_login(city.user("admin"))
    response = client.post("/admin/triage/keywordrule/add/", {
        "name": "空规则", "pattern": " | ", "exclude": "", "target": "urgency",
        "value": "urgent", "priority": 100, "is_active": "on"})
    assert "请至少填写一个关键词" in response.content.decode()
