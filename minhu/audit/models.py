from django.conf import settings
from django.db import models


class AuditEntry(models.Model):
    """Who saw or changed what. Written for every view of unmasked personal data and for
    configuration changes; never edited."""

    at = models.DateTimeField("时间", db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    action = models.CharField("动作", max_length=40, db_index=True)
    object_type = models.CharField("对象类型", max_length=40)
    object_id = models.CharField("对象", max_length=64, db_index=True)
    fields = models.CharField("涉及字段", max_length=200, blank=True)
    via = models.CharField("途径", max_length=20, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-at"]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("audit entries are append-only")
        super().save(*args, **kwargs)
