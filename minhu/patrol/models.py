"""Patrol reports 网格员主动发现: who found a problem on patrol, where, and which order it
became. The order itself carries channel GRID (that is what the statistics count); this
row keeps the reporter, which an order does not (it is registered by the patrol service
account), so the worker can follow what they reported."""

from django.db import models

from minhu.accounts.models import User


class PatrolReport(models.Model):
    worker = models.ForeignKey(User, verbose_name="上报人", on_delete=models.PROTECT,
                               related_name="patrol_reports")
    # The reporter's own unit when they reported (a grid, or a community for its staff).
    unit = models.ForeignKey("org.Unit", verbose_name="上报单位", on_delete=models.PROTECT,
                             related_name="+")
    grid = models.ForeignKey("org.Unit", verbose_name="网格", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    raw = models.OneToOneField("intake.RawIntake", verbose_name="原始接入记录",
                               on_delete=models.PROTECT, related_name="patrol_report")
    order = models.OneToOneField("orders.WorkOrder", verbose_name="工单", null=True,
                                 blank=True, on_delete=models.SET_NULL,
                                 related_name="patrol_report")
    solved_on_spot = models.BooleanField("已现场处置", default=False)
    dispatch_note = models.CharField("派单说明", max_length=300, blank=True)
    photo_count = models.PositiveSmallIntegerField("照片数", default=0)
    created_at = models.DateTimeField("上报时间", db_index=True)

    class Meta:
        verbose_name = "网格巡查上报"
        verbose_name_plural = "网格巡查上报"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["worker", "-created_at"], name="patrol_worker_recent")]

    def __str__(self) -> str:
        return f"{self.worker} {self.created_at:%Y-%m-%d %H:%M}"
