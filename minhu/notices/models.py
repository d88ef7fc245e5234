from django.conf import settings
from django.db import models


class Notice(models.Model):
    """A message to a unit's inbox (or to one person): new order, urging, reminder,
    review result. Channels (SMS, e-mail) deliver from here in a later issue."""

    unit = models.ForeignKey("org.Unit", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="notices")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.CASCADE, related_name="notices")
    order = models.ForeignKey("orders.WorkOrder", null=True, blank=True,
                              on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField("类型", max_length=30)
    text = models.CharField("内容", max_length=500)
    created_at = models.DateTimeField(db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # Dedup key so a retried job never sends the same notice twice.
    key = models.CharField(max_length=120, unique=True, null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["unit", "read_at"], name="notice_unit_unread")]
