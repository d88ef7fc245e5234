import sys
import types
from datetime import datetime, timedelta
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.core.management import call_command

from minhu.catalog.apps import seed_on_first_migrate
from minhu.catalog.models import (
    CallbackDimension,
    Category,
    LimitUnit,
    PlatformSettings,
    RequestType,
    UrgencyTier,
)
from minhu.catalog.seed import seed_reference_data
from minhu.workcal.clock import deadline

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_taxonomy(monkeypatch):
    """As if minhu/catalog/taxonomy.py had not been written yet."""
    monkeypatch.setitem(sys.modules, "minhu.catalog.taxonomy", None)


@pytest.fixture
def tiny_taxonomy(monkeypatch):
    def seed_taxonomy():
        Category.objects.get_or_create(code="ZZ", defaults={"name": "测试分类"})

    module = types.ModuleType("minhu.catalog.taxonomy")
    module.seed_taxonomy = seed_taxonomy
    monkeypatch.setitem(sys.modules, "minhu.catalog.taxonomy", module)


def test_migrating_a_fresh_database_seeds_the_reference_data():
    assert RequestType.objects.count() == 6
    assert UrgencyTier.objects.count() == 4
    assert CallbackDimension.objects.count() == 4
    assert PlatformSettings.objects.count() == 1


def test_migrating_seeds_the_taxonomy_once_it_exists():
    pytest.importorskip("minhu.catalog.taxonomy")
    assert Category.objects.filter(parent=None).exists()
    assert Category.objects.exclude(parent=None).exists()


def test_request_types_come_in_the_hotlines_order_with_their_rules():
    rows = RequestType.objects.values_list(
        "code", "name", "can_answer_directly", "confidential_by_default"
    )
    assert list(rows) == [
        ("consult", "咨询", True, False),
        ("help", "求助", False, False),
        ("complaint", "投诉", False, False),
        ("report", "举报", False, True),
        ("suggestion", "建议", True, False),
        ("praise", "表扬", True, False),
    ]


def test_urgency_tiers_carry_beijings_limits():
    rows = UrgencyTier.objects.values_list(
        "name", "handle_limit", "handle_unit", "sign_limit", "sign_unit", "yellow_ratio"
    )
    assert list(rows) == [
        ("紧急", 2, "hours", 20, "minutes", Decimal("0.50")),
        ("较急", 24, "hours", 2, "hours", Decimal("0.80")),
        ("一般", 7, "days", 1, "workdays", Decimal("0.80")),
        ("复杂", 15, "days", 1, "workdays", Decimal("0.80")),
    ]


def test_every_tiers_limits_are_understood_by_the_clock():
    start = datetime(2025, 9, 30, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
    for tier in UrgencyTier.objects.all():
        assert tier.handle_unit in LimitUnit.values
        assert deadline(start, tier.handle_limit, tier.handle_unit) > start
        assert deadline(start, tier.sign_limit, tier.sign_unit) > start
    urgent = UrgencyTier.objects.get(code="urgent")
    assert deadline(start, urgent.handle_limit, urgent.handle_unit) == start + timedelta(hours=2)


def test_callback_dimensions_are_the_four_usual_questions():
    names = list(CallbackDimension.objects.values_list("name", flat=True))
    assert names == ["服务态度", "办理能力", "便捷程度", "办理速度"]


def test_seeding_again_adds_nothing(no_taxonomy):
    assert seed_reference_data() == {
        "诉求类型": 0,
        "紧急程度与时限": 0,
        "回访评价维度": 0,
        "平台参数": 0,
        "诉求分类": None,
    }


def test_seeding_never_overwrites_an_administrators_edit(no_taxonomy):
    RequestType.objects.filter(code="consult").update(name="政策咨询", sort=9)
    UrgencyTier.objects.filter(code="urgent").update(handle_limit=1)
    seed_reference_data()
    assert RequestType.objects.get(code="consult").name == "政策咨询"
    assert UrgencyTier.objects.get(code="urgent").handle_limit == 1


def test_seeding_restores_a_deleted_row(no_taxonomy):
    RequestType.objects.filter(code="praise").delete()
    assert seed_reference_data()["诉求类型"] == 1
    assert RequestType.objects.get(code="praise").can_answer_directly


def test_the_taxonomy_is_seeded_when_its_module_exists(tiny_taxonomy):
    assert seed_reference_data()["诉求分类"] == 1
    assert Category.objects.filter(code="ZZ").exists()


def test_the_migrate_hook_seeds_only_an_empty_table(no_taxonomy):
    config = apps.get_app_config("catalog")
    RequestType.objects.filter(code="praise").delete()
    seed_on_first_migrate(config, apps=apps, verbosity=0)
    assert not RequestType.objects.filter(code="praise").exists()
    RequestType.objects.all().delete()
    seed_on_first_migrate(config, apps=apps, verbosity=0)
    assert RequestType.objects.count() == 6


def test_the_seed_command_says_what_it_added(no_taxonomy):
    RequestType.objects.filter(code="praise").delete()
    out = StringIO()
    call_command("seed", stdout=out)
    text = out.getvalue()
    assert "诉求类型：新增 1 条" in text
    assert "诉求分类：未找到分类种子模块，已跳过" in text
    assert "法定节假日/调休日：新增 0 条" in text
