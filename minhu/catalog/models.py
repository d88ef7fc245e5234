from django.db import models

from minhu.core.choices import Choices
from minhu.org.kinds import UnitKind


class RequestType(models.Model):
    """诉求类型: 咨询 求助 投诉 举报 建议 表扬."""

    code = models.CharField("编码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=20)
    # Consultations (and praise, suggestions) may be answered by the agent on the spot.
    can_answer_directly = models.BooleanField("可直接答复", default=False)
    # 举报 orders default to confidential: units never see the reporter.
    confidential_by_default = models.BooleanField("默认保密", default=False)
    sort = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "诉求类型"
        verbose_name_plural = "诉求类型"
        ordering = ["sort"]

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    """Two-level taxonomy: first level (CG 城市管理) and second level (CG03 噪声扰民)."""

    code = models.CharField("编码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=50)
    parent = models.ForeignKey(
        "self", verbose_name="上级分类", null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    keywords = models.CharField("关键词", max_length=400, blank=True, help_text="以逗号分隔")
    is_active = models.BooleanField("启用", default=True)
    sort = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "诉求分类"
        verbose_name_plural = "诉求分类"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.parent.name}/{self.name}" if self.parent_id else self.name

    @property
    def level(self) -> int:
        return 2 if self.parent_id else 1

    @property
    def top(self) -> "Category":
        return self.parent if self.parent_id else self


class LimitUnit(Choices):
    MINUTES = "minutes", "分钟"
    HOURS = "hours", "自然小时"
    WORKDAYS = "workdays", "工作日"
    DAYS = "days", "自然日"


class UrgencyTier(models.Model):
    """Time-limit tier: 紧急 2 h, 较急 24 h, 一般 7 d, 复杂 15 d, each with a sign limit."""

    code = models.CharField("编码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=20)
    handle_limit = models.PositiveIntegerField("办理时限")
    handle_unit = models.CharField("办理时限单位", max_length=10, choices=LimitUnit.choices)
    sign_limit = models.PositiveIntegerField("签收时限")
    sign_unit = models.CharField("签收时限单位", max_length=10, choices=LimitUnit.choices)
    yellow_ratio = models.DecimalField(
        "黄灯比例", max_digits=3, decimal_places=2, default=0.8,
        help_text="已用时限达到该比例时亮黄灯，例如 0.80",
    )
    sort = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "紧急程度与时限"
        verbose_name_plural = "紧急程度与时限"
        ordering = ["sort"]

    def __str__(self) -> str:
        return self.name


class Audience(Choices):
    ALL = "all", "全部"
    CITIZEN = "citizen", "个人诉求"
    ENTERPRISE = "enterprise", "企业诉求"


class Responsibility(models.Model):
    """One line of the 权责清单: for a category (either level), within an area (the whole
    city, a district or a street), who leads and who assists.

    The lead is either a fixed unit (e.g. 市水务局) or a territorial level resolved through
    the order's place (e.g. "the street the place lies in").
    """

    category = models.ForeignKey(
        Category, verbose_name="诉求分类", on_delete=models.CASCADE, related_name="duties",
    )
    area = models.ForeignKey(
        "org.Unit", verbose_name="适用辖区", null=True, blank=True, on_delete=models.CASCADE,
        related_name="+", help_text="留空表示全市适用；可限定到某区或某街道",
    )
    audience = models.CharField(
        "适用对象", max_length=12, choices=Audience.choices, default=Audience.ALL
    )
    lead_unit = models.ForeignKey(
        "org.Unit", verbose_name="主办单位", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    lead_level = models.CharField(
        "主办属地层级", max_length=20, blank=True,
        choices=[(k.value, k.label) for k in (UnitKind.DISTRICT, UnitKind.STREET,
                                              UnitKind.COMMUNITY, UnitKind.GRID)],
        help_text="不指定主办单位时，按工单地点所属层级确定主办",
    )
    co_units = models.ManyToManyField(
        "org.Unit", verbose_name="协办单位", blank=True, related_name="+",
    )
    co_levels = models.CharField(
        "协办属地层级", max_length=80, blank=True, help_text="以逗号分隔，如 street,community"
    )
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "权责清单条目"
        verbose_name_plural = "权责清单"

    def __str__(self) -> str:
        lead = self.lead_unit.name if self.lead_unit_id else UnitKind.label_of(self.lead_level)
        return f"{self.category} → {lead}"


class CallbackDimension(models.Model):
    """An extra question of the callback questionnaire (态度, 能力, 便捷, 速度 …), scored 1–5."""

    code = models.CharField("编码", max_length=20, unique=True)
    name = models.CharField("名称", max_length=40)
    is_active = models.BooleanField("启用", default=True)
    sort = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "回访评价维度"
        verbose_name_plural = "回访评价维度"
        ordering = ["sort"]

    def __str__(self) -> str:
        return self.name


class PlatformSettings(models.Model):
    """City-wide knobs (a single row)."""

    citizen_reopen_days = models.PositiveSmallIntegerField("市民可申请重办天数", default=7)
    summon_report_hours = models.PositiveSmallIntegerField("吹哨报到时限（小时）", default=2)
    reopen_limit_days = models.PositiveSmallIntegerField("重办办理时限（自然日）", default=3)
    reminder_hour = models.PositiveSmallIntegerField("每日催办提醒时刻", default=8)
    callback_retry_hours = models.PositiveSmallIntegerField("回访未接通重试间隔（小时）", default=4)

    class Meta:
        verbose_name = "平台参数"
        verbose_name_plural = "平台参数"

    def __str__(self) -> str:
        return "平台参数"

    @classmethod
    def current(cls) -> "PlatformSettings":
        obj = cls.objects.first()
        return obj if obj is not None else cls.objects.create()
