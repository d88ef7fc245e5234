"""What the web workspace keeps per person: saved filters of the order search."""

from django.conf import settings
from django.db import models


class SavedFilter(models.Model):
    """A named order search (the query string of ``/orders/``) kept for one person."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="用户",
                             on_delete=models.CASCADE, related_name="saved_filters")
    name = models.CharField("名称", max_length=40)
    querystring = models.CharField("查询条件", max_length=2000, blank=True)
    created_at = models.DateTimeField("保存时间", auto_now_add=True)

    class Meta:
        verbose_name = "常用查询"
        verbose_name_plural = "常用查询"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="uniq_user_filter_name"),
        ]

    def __str__(self) -> str:
        return self.name
