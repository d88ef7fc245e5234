"""Reference data a new city starts with. Every row is created only if its code is
missing, so re-running never undoes what an administrator changed."""

from decimal import Decimal

from .models import (
    CallbackDimension,
    Category,
    LimitUnit,
    PlatformSettings,
    RequestType,
    UrgencyTier,
)

# code, name, can_answer_directly, confidential_by_default
REQUEST_TYPES = [
    ("consult", "咨询", True, False),
    ("help", "求助", False, False),
    ("complaint", "投诉", False, False),
    ("report", "举报", False, True),
    ("suggestion", "建议", True, False),
    ("praise", "表扬", True, False),
]

# code, name, handle limit and unit, sign limit and unit, yellow ratio.
# 和林格尔 and Beijing respond to an urgent order within 20 minutes. Ordinary orders are
# signed within one working day, so a Friday-evening order is not late on Saturday.
URGENCY_TIERS = [
    ("urgent", "紧急", 2, LimitUnit.HOURS, 20, LimitUnit.MINUTES, "0.50"),
    ("pressing", "较急", 24, LimitUnit.HOURS, 2, LimitUnit.HOURS, "0.80"),
    ("normal", "一般", 7, LimitUnit.DAYS, 1, LimitUnit.WORKDAYS, "0.80"),
    ("complex", "复杂", 15, LimitUnit.DAYS, 1, LimitUnit.WORKDAYS, "0.80"),
]

CALLBACK_DIMENSIONS = [
    ("attitude", "服务态度"),
    ("competence", "办理能力"),
    ("convenience", "便捷程度"),
    ("speed", "办理速度"),
]


def seed_reference_data() -> dict[str, int | None]:
    """Create what is missing; return how many rows were added per kind of data
    (诉求分类 is None when the taxonomy module is not there)."""
    added = {"诉求类型": 0, "紧急程度与时限": 0, "回访评价维度": 0, "平台参数": 0}
    for sort, (code, name, direct, confidential) in enumerate(REQUEST_TYPES, start=1):
        _, created = RequestType.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "can_answer_directly": direct,
                "confidential_by_default": confidential,
                "sort": sort,
            },
        )
        added["诉求类型"] += created
    for sort, (code, name, limit, unit, sign, sign_unit, yellow) in enumerate(URGENCY_TIERS, 1):
        _, created = UrgencyTier.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "handle_limit": limit,
                "handle_unit": unit,
                "sign_limit": sign,
                "sign_unit": sign_unit,
                "yellow_ratio": Decimal(yellow),
                "sort": sort,
            },
        )
        added["紧急程度与时限"] += created
    for sort, (code, name) in enumerate(CALLBACK_DIMENSIONS, start=1):
        _, created = CallbackDimension.objects.get_or_create(
            code=code, defaults={"name": name, "sort": sort}
        )
        added["回访评价维度"] += created
    if not PlatformSettings.objects.exists():
        PlatformSettings.objects.create()
        added["平台参数"] = 1
    added["诉求分类"] = _seed_taxonomy()
    return added


def _seed_taxonomy() -> int | None:
    try:
        from .taxonomy import seed_taxonomy
    except ImportError as exc:
        if exc.name != f"{__package__}.taxonomy":  # a broken import inside it is a real bug
            raise
        return None
    before = Category.objects.count()
    seed_taxonomy()
    return Category.objects.count() - before
