"""What Open311 adds to an order: the client that sent it, the token it was given, the
photo link, and the keys that make a retried POST land on the same order.

The payload itself lives in ``intake.RawIntake`` (stored before anything else); the order
is reached through ``raw.order`` once registration has succeeded.
"""

from django.db import models


class Submission(models.Model):
    # Handed to the client in the POST answer; GET tokens/<token> resolves it to the
    # order number, also when registration only succeeded later on a retry.
    token = models.CharField("token", max_length=40, unique=True)
    raw = models.OneToOneField("intake.RawIntake", on_delete=models.CASCADE,
                               related_name="open311")
    client = models.ForeignKey("accounts.ApiToken", verbose_name="接入方", null=True,
                               on_delete=models.SET_NULL, related_name="+")
    # Same client + same fingerprint within the replay window = the same request sent
    # twice (a double tap, a retry after a timeout).
    fingerprint = models.CharField(max_length=64, db_index=True)
    idempotency_key = models.CharField("幂等键", max_length=100)
    media_url = models.URLField("图片链接", max_length=500, blank=True)
    created_at = models.DateTimeField("提交时间", db_index=True)

    class Meta:
        verbose_name = "Open311 提交"
        verbose_name_plural = "Open311 提交"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.token
