"""The provincial 12345 exchange: orders the province pushed down, and how its codes map
onto ours.

``ProvinceOrder`` is written as soon as a push passes the edge, before registration, so a
push whose registration fails is kept with its province number and deadline and is
linked to its order when the registration is retried.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from minhu.core.choices import Choices


class CodeKind(Choices):
    REQUEST_TYPE = "request_type", _("诉求类型")
    CATEGORY = "category", _("诉求分类")
    URGENCY = "urgency", _("紧急程度")


class CodeMapping(models.Model):
    """One province code and the code it means here (edited in the admin)."""

    kind = models.CharField("编码类别", max_length=20, choices=CodeKind.choices)
    province_code = models.CharField("省级编码", max_length=40)
    province_name = models.CharField("省级名称", max_length=60, blank=True)
    our_code = models.CharField("本市编码", max_length=20,
                                help_text="诉求类型、诉求分类或紧急程度在本平台的编码")

    class Meta:
        verbose_name = "省级编码对照"
        verbose_name_plural = "省级编码对照"
        ordering = ["kind", "province_code"]
        constraints = [models.UniqueConstraint(fields=["kind", "province_code"],
                                               name="uniq_province_code")]

    def __str__(self) -> str:
        return f"{CodeKind.label_of(self.kind)} {self.province_code} → {self.our_code}"

    def clean(self):
        from .codes import our_model

        model = our_model(self.kind)
        if model is not None and not model.objects.filter(code=self.our_code).exists():
            raise ValidationError({"our_code": f"本平台没有编码为“{self.our_code}”的"
                                               f"{CodeKind.label_of(self.kind)}"})


class ProvinceOrder(models.Model):
    """An order pushed down by the province: its number and deadline as the province
    keeps them, the deadline the city's units work to, and what could not be mapped."""

    province_no = models.CharField("省级工单编号", max_length=40, unique=True)
    order = models.OneToOneField("orders.WorkOrder", verbose_name="本市工单", null=True,
                                 blank=True, on_delete=models.SET_NULL,
                                 related_name="province_order")
    raw = models.ForeignKey("intake.RawIntake", verbose_name="原始推送", null=True,
                            blank=True, on_delete=models.SET_NULL, related_name="+")
    received_at = models.DateTimeField("接收时间")
    province_due_at = models.DateTimeField("省级办理期限")
    internal_due_at = models.DateTimeField("本市内部期限")
    deadline_ratio = models.DecimalField("内部时限比例", max_digits=4, decimal_places=2)
    province_codes = models.JSONField("省级编码", default=dict, blank=True)
    # Province codes with no mapping: the order got our default and a dispatcher checks it.
    unmapped = models.JSONField("未对照编码", default=list, blank=True)
    needs_review = models.BooleanField("编码待核对", default=False, db_index=True)

    class Meta:
        verbose_name = "省级下派工单"
        verbose_name_plural = "省级下派工单"
        ordering = ["-received_at", "-pk"]

    def __str__(self) -> str:
        return self.province_no
