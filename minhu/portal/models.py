"""What the portal keeps of its own: the one-time codes that let a citizen track an order.

The code itself is never stored, only a keyed hash of it: a database dump does not hand
out working codes.
"""

from django.db import models


class TrackCode(models.Model):
    order = models.ForeignKey("orders.WorkOrder", on_delete=models.CASCADE,
                              related_name="+")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField("错误次数", default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = "查询验证码"
        verbose_name_plural = "查询验证码"
        indexes = [models.Index(fields=["order", "created_at"], name="portal_code_order")]
