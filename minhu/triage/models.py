"""Triage's stored state: trained model versions, administrators' keyword rules, the
auto-dispatch policy, what triage proposed for each order, the dispatchers' corrections,
and the routing history it learns from."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minhu.core.choices import Choices


class ModelKind(Choices):
    COLD_START = "cold_start", _("内置初始模型")
    CITY = "city", _("本市历史训练")


class ModelVersion(models.Model):
    """One trained classifier (category, type and urgency heads together).

    The blob lives in the database so every app node loads the same model; only one
    version is active at a time, and activating an older one is the rollback."""

    kind = models.CharField("来源", max_length=16, choices=ModelKind.choices)
    created_at = models.DateTimeField("训练时间")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name="发起人")
    is_active = models.BooleanField("当前使用", default=False, db_index=True)
    activated_at = models.DateTimeField("启用时间", null=True, blank=True)
    n_train = models.PositiveIntegerField("训练样本数", default=0)
    n_corrections = models.PositiveIntegerField("其中人工纠正", default=0)
    train_seconds = models.FloatField("训练耗时（秒）", default=0)
    size_bytes = models.PositiveBigIntegerField("模型大小（字节）", default=0)
    # {"category": {"accuracy": .., "macro_f1": .., "top3_accuracy": .., "n": ..},
    #  "first_level": {...}, "type": {...}, "urgency": {..., "urgent_recall": ..}}
    metrics = models.JSONField("评估指标", default=dict, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)
    blob = models.BinaryField("模型数据", editable=False)

    class Meta:
        verbose_name = "分类模型版本"
        verbose_name_plural = "分类模型版本"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"v{self.pk} {self.get_kind_display()}"


class RuleTarget(Choices):
    CATEGORY = "category", _("分类")
    TYPE = "type", _("诉求类型")
    URGENCY = "urgency", _("紧急程度")


class KeywordRule(models.Model):
    """An administrator's rule that beats the model: when the text matches, the target
    takes the given value (e.g. "燃气泄漏|煤气味" → urgency 紧急)."""

    name = models.CharField("规则名称", max_length=60)
    pattern = models.CharField(
        "关键词", max_length=300,
        help_text="多个关键词用“|”分隔，命中任一即生效；“A+B”表示 A 与 B 同时出现")
    exclude = models.CharField("排除词", max_length=300, blank=True,
                               help_text="命中任一排除词时规则不生效，多个用“|”分隔")
    target = models.CharField("作用于", max_length=16, choices=RuleTarget.choices)
    value = models.CharField("取值", max_length=20,
                             help_text="分类编码（如 SZ04）、诉求类型编码或紧急程度编码")
    priority = models.PositiveSmallIntegerField("优先级", default=100,
                                                help_text="数字小的先生效")
    is_active = models.BooleanField("启用", default=True)
    hits = models.PositiveIntegerField("命中次数", default=0, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "关键词规则"
        verbose_name_plural = "关键词规则"
        ordering = ["priority", "pk"]

    def __str__(self) -> str:
        return self.name


class TriagePolicy(models.Model):
    """City-wide triage knobs (a single row, edited by administrators)."""

    auto_dispatch = models.BooleanField("启用自动派单", default=False)
    auto_dispatch_threshold = models.FloatField(
        "自动派单置信度阈值", default=0.9, help_text="0–1；派单建议的置信度不低于此值时自动派单")
    retrain_weekday = models.PositiveSmallIntegerField(
        "每周自动训练（星期几）", default=6, help_text="0=周一 … 6=周日")
    retrain_min_orders = models.PositiveIntegerField("自动训练最少样本数", default=2000)
    history_days = models.PositiveSmallIntegerField("路由学习回看天数", default=90)

    class Meta:
        verbose_name = "智能分拨参数"
        verbose_name_plural = "智能分拨参数"

    def __str__(self) -> str:
        return "智能分拨参数"

    @classmethod
    def current(cls) -> "TriagePolicy":
        obj = cls.objects.first()
        return obj if obj is not None else cls.objects.create()


class TriageRecord(models.Model):
    """What triage proposed for an order when it arrived (kept to compare with what the
    dispatcher then did)."""

    order = models.OneToOneField("orders.WorkOrder", on_delete=models.CASCADE,
                                 related_name="triage")
    created_at = models.DateTimeField("时间")
    model_version = models.ForeignKey(ModelVersion, null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+")
    category_code = models.CharField("建议分类", max_length=20, blank=True)
    category_confidence = models.FloatField(default=0)
    type_code = models.CharField("建议类型", max_length=20, blank=True)
    urgency_code = models.CharField("建议紧急程度", max_length=20, blank=True)
    lead_unit = models.ForeignKey("org.Unit", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name="建议主办单位")
    route_confidence = models.FloatField(default=0)
    auto_dispatched = models.BooleanField("已自动派单", default=False)
    detail = models.JSONField("完整建议", default=dict, blank=True)  # the Suggestion as data
    elapsed_ms = models.FloatField(default=0)

    class Meta:
        verbose_name = "分拨建议记录"
        verbose_name_plural = "分拨建议记录"
        # The learning report reads records by date.
        indexes = [models.Index(fields=["created_at"], name="triage_record_created")]


class CorrectionKind(Choices):
    CATEGORY = "category", _("改分类")
    UNIT = "unit", _("改派单位")
    TYPE = "type", _("改诉求类型")
    URGENCY = "urgency", _("改紧急程度")
    MERGE = "merge", _("合并")
    UNMERGE = "unmerge", _("取消合并")


class Correction(models.Model):
    """A dispatcher decided differently from triage's proposal; the next training uses it."""

    order = models.ForeignKey("orders.WorkOrder", on_delete=models.CASCADE,
                              related_name="triage_corrections")
    kind = models.CharField("类型", max_length=16, choices=CorrectionKind.choices,
                            db_index=True)
    proposed = models.CharField("原建议", max_length=40, blank=True)
    chosen = models.CharField("人工决定", max_length=40, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("时间", db_index=True)
    used_in = models.ForeignKey(ModelVersion, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="corrections", verbose_name="已用于训练")

    class Meta:
        verbose_name = "人工纠正"
        verbose_name_plural = "人工纠正"
        ordering = ["-created_at"]


class RoutingStat(models.Model):
    """How often a unit finally solved (or returned) orders of one second-level category
    at one community in the look-back window; rebuilt by a periodic job so a suggestion
    reads a few rows instead of scanning history."""

    community = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    category = models.ForeignKey("catalog.Category", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    solved = models.PositiveIntegerField("办结件数", default=0)
    returned = models.PositiveIntegerField("退回件数", default=0)
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = "派单历史统计"
        verbose_name_plural = "派单历史统计"
        constraints = [models.UniqueConstraint(fields=["community", "category", "unit"],
                                               name="routingstat_unique")]
        indexes = [models.Index(fields=["community", "category"])]
