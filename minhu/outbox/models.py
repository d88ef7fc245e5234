"""Where order updates are sent (endpoints) and each update waiting to be sent (deliveries).

A delivery row is written in the same transaction as the timeline event it reports, so
an update is never lost and never sent for a change that rolled back.
"""

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from minhu.core.choices import Choices


class EndpointKind(Choices):
    WEBHOOK = "webhook", _("合作方回调")
    PROVINCE = "province", _("省级平台")


class DeliveryStatus(Choices):
    PENDING = "pending", _("待发送")
    DELIVERED = "delivered", _("已送达")
    DEAD = "dead", _("已停止重试")


class Endpoint(models.Model):
    code = models.SlugField("代码", max_length=60, unique=True)
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=16, choices=EndpointKind.choices,
                            default=EndpointKind.WEBHOOK)
    url = models.URLField("推送地址", max_length=500)
    secret = models.CharField("签名密钥", max_length=200, blank=True)
    is_active = models.BooleanField("启用", default=True)
    max_attempts = models.PositiveSmallIntegerField("最多尝试次数", default=12)
    timeout_seconds = models.PositiveSmallIntegerField("超时（秒）", default=10)

    class Meta:
        verbose_name = "推送端点"
        verbose_name_plural = "推送端点"
        ordering = ["code"]

    def __str__(self):
        return f"{self.name}（{self.code}）"


class Delivery(models.Model):
    endpoint = models.ForeignKey(Endpoint, verbose_name="端点", on_delete=models.CASCADE,
                                 related_name="deliveries")
    order = models.ForeignKey("orders.WorkOrder", verbose_name="工单", on_delete=models.CASCADE,
                              related_name="+")
    # The timeline event's seq: deliveries of one order go out in this order.
    seq = models.PositiveIntegerField("事件序号")
    event = models.CharField("事件", max_length=32)
    payload = models.JSONField("内容", default=dict, encoder=DjangoJSONEncoder)
    status = models.CharField("状态", max_length=12, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField("已尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试", null=True, blank=True)
    last_error = models.TextField("最近错误", blank=True)
    last_status = models.PositiveSmallIntegerField("最近 HTTP 状态", null=True, blank=True)
    created_at = models.DateTimeField("创建时间")
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)

    class Meta:
        verbose_name = "推送记录"
        verbose_name_plural = "推送记录"
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "order", "seq"],
                                    name="uniq_delivery_endpoint_order_seq"),
        ]
        indexes = [
            # The sender scans only what is still to be sent.
            models.Index(fields=["next_attempt_at"], name="delivery_pending_due",
                         condition=models.Q(status="pending")),
            models.Index(fields=["endpoint", "status"], name="delivery_endpoint_status"),
        ]

    def __str__(self):
        return f"{self.endpoint.code} #{self.pk} {self.event}"
