from io import StringIO

import pytest
from django.core.management import call_command

from minhu.core import clock
from minhu.triage import modelstore, rules
from minhu.triage.bundle import ModelBundle, Row
from minhu.triage.coldstart import template_rows
from minhu.triage.models import Correction, ModelVersion, TriagePolicy
from minhu.triage.retrain import not_worse, retrain_if_due
from minhu.triage.training import city_rows, split_rows, train_city

# A small city history: three kinds of requests, a few of each.
HISTORY = [
    ("{}号楼从早上开始停水了，家里一滴水都没有", "SZ01", "help"),
    ("{}号楼楼下广场舞太吵了，晚上十点还在跳", "CG01", "complaint"),
    ("{}号楼门口井盖丢了，晚上走路很危险", "CG08", "complaint"),
]


@pytest.fixture(autouse=True)
def fresh_caches(monkeypatch):
    # City training mixes in the whole cold-start corpus; a slice keeps these tests quick.
    monkeypatch.setattr("minhu.triage.training.cold_start_rows",
                        lambda: [Row(r.text, r.l2, r.type, r.urgency, 0.3)
                                 for r in template_rows()[::20]])
    modelstore.reset()
    rules.invalidate()
    yield
    modelstore.reset()


@pytest.fixture
def history(city, dispatched_order, new_order):
    """Ten dispatched orders per kind, one undecided (registered) order, one correction."""
    orders = []
    for i in range(10):
        for template, code, kind in HISTORY:
            orders.append(dispatched_order(content=template.format(i + 1), category=code,
                                           request_type=kind))
    new_order(content="还没派单的工单不参与训练", category="SZ01")
    Correction.objects.create(order=orders[0], kind="category", proposed="CG01", chosen="SZ01",
                              created_at=clock.now())
    return orders


def test_city_rows_are_decided_orders_oldest_first_with_corrections_weighted(history):
    rows, corrected = city_rows()
    assert len(rows) == 30
    assert corrected == [history[0].pk]
    assert rows[0].weight == 3.0 and rows[1].weight == 1.0
    assert all(r.l2 in {"SZ01", "CG01", "CG08"} for r in rows)
    assert "还没派单的工单不参与训练" not in [r.text for r in rows]


def test_city_training_stores_a_measured_version_and_marks_corrections_used(history):
    version = train_city()
    assert version.kind == "city" and not version.is_active
    assert version.n_corrections == 1
    assert version.n_train > 30  # city orders plus the cold-start corpus
    assert version.size_bytes > 0 and version.train_seconds > 0
    for head in ("category", "first_level", "type", "urgency"):
        assert {"accuracy", "macro_f1", "top3_accuracy", "n"} <= set(version.metrics[head])
    assert version.metrics["category"]["n"] == 3  # the newest 10 %
    assert Correction.objects.get().used_in == version
    bundle = ModelBundle.loads(version.blob)
    assert bundle.proba(["又停水了"])["category"].shape[0] == 1


def test_city_training_without_history_is_a_clear_error(city):
    from minhu.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed, match="没有可用于训练的已派单工单"):
        train_city()


def test_the_time_split_holds_out_the_newest_rows():
    rows = [Row(f"t{i}", "SZ01", None, None) for i in range(20)]
    train, test = split_rows(rows, by_time=True)
    assert [r.text for r in test] == ["t18", "t19"] and len(train) == 18


def test_the_stratified_split_is_deterministic_and_keeps_rare_classes_in_training():
    rows = [Row(f"a{i}", "SZ01", None, None) for i in range(20)] + [Row("b", "CG01", None, None)]
    first = split_rows(rows, by_time=False)[1]
    assert first == split_rows(rows, by_time=False)[1]
    assert len(first) == 2 and all(r.l2 == "SZ01" for r in first)


def test_the_cold_start_templates_are_deterministic(db):
    assert [r.text for r in template_rows()] == [r.text for r in template_rows()]


def test_the_train_command_prints_chinese_figures_and_activates(history):
    out = StringIO()
    call_command("triage-train", stdout=out)
    text = out.getvalue()
    assert "二级分类：准确率" in text and "已启用" in text
    version = ModelVersion.objects.get()
    assert version.is_active


def test_the_train_command_can_leave_the_version_inactive(history):
    out = StringIO()
    call_command("triage-train", "--no-activate", stdout=out)
    assert "未启用" in out.getvalue()
    assert not ModelVersion.objects.filter(is_active=True).exists()


def test_the_train_command_without_history_exits_with_2(city):
    err = StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("triage-train", stdout=StringIO(), stderr=err)
    assert exit_info.value.code == 2
    assert "没有可用于训练的已派单工单" in err.getvalue()


def test_weekly_retraining_waits_for_its_weekday_and_enough_orders(history, at):
    policy = TriagePolicy.current()
    policy.retrain_min_orders = 1000
    policy.retrain_weekday = 6
    policy.save()
    with at(2025, 11, 17, 3):  # a Monday
        assert retrain_if_due() == {"trained": False, "reason": "not_today"}
    with at(2025, 11, 23, 3):  # a Sunday, but only 30 decided orders
        assert retrain_if_due()["reason"] == "too_few"


def test_weekly_retraining_activates_the_first_city_version(history, at):
    policy = TriagePolicy.current()
    policy.retrain_min_orders = 10
    policy.retrain_weekday = 6
    policy.save()
    with at(2025, 11, 23, 3):
        verdict = retrain_if_due()
        assert verdict["trained"] and verdict["activated"]
        assert retrain_if_due() == {"trained": False, "reason": "already_today"}
    assert ModelVersion.objects.get(is_active=True).pk == verdict["version"]


def test_a_worse_version_is_not_activated():
    old = {"category": {"accuracy": 0.8}, "first_level": {"accuracy": 0.9},
           "urgency": {"urgent_recall": 1.0}}
    assert not_worse({"category": {"accuracy": 0.8}, "first_level": {"accuracy": 0.9}}, old)
    assert not not_worse({"category": {"accuracy": 0.7}, "first_level": {"accuracy": 0.9}}, old)
    assert not not_worse({"category": {"accuracy": 0.9}, "first_level": {"accuracy": 0.9},
                          "urgency": {"urgent_recall": 0.8}}, old)


def test_large_training_sets_switch_to_sgd_and_characters_only(monkeypatch):
    from minhu.triage import bundle as bundle_module
    from minhu.triage import pipeline
    from minhu.triage.bundle import fit_bundle
    from minhu.triage.coldstart import parent_map

    monkeypatch.setattr(pipeline, "SGD_ABOVE", 10)
    monkeypatch.setattr(bundle_module, "WORDS_UP_TO", 10)
    rows = [Row(template.format(i), code, kind, "normal")
            for i in range(8) for template, code, kind in HISTORY]
    model = fit_bundle(rows, parent_map())
    assert not model.featurizer.use_words
    proba = model.proba(["5号楼从早上开始停水了"])["category"][0]
    assert model.classes("category")[proba.argmax()] == "SZ01"
