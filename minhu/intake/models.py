"""Raw intake: what a channel sent us, exactly as it came, before anything else happens.

Every channel (portal, QR code, grid patrol, partner API, province, Open311) stores the
payload here first and commits it, then tries to register an order from it. A request
whose triage or registration fails is therefore never lost: it stays here as *rejected*
(bad input, with the code and message the sender got) or *failed* (our fault, retried).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from minhu.core.choices import Choices
from minhu.orders.states import Channel


class RawStatus(Choices):
    RECEIVED = "received", _("已接收")
    REGISTERED = "registered", _("已生成工单")
    DUPLICATE = "duplicate", _("重复提交（已有工单）")
    REJECTED = "rejected", _("内容不合格")
    FAILED = "failed", _("处理失败待重试")


# Statuses whose payload did not become an order (the inspection list shows these).
UNREGISTERED = frozenset({RawStatus.RECEIVED, RawStatus.REJECTED, RawStatus.FAILED})

MAX_BODY_CHARS = 200_000


class RawIntake(models.Model):
    channel = models.CharField("渠道", max_length=20, choices=Channel.choices, db_index=True)
    # Which sender within the channel: a partner's code, "portal", a QR place, "province".
    source = models.CharField("来源", max_length=60, blank=True)
    external_id = models.CharField("外部编号", max_length=100, blank=True)
    received_at = models.DateTimeField("接收时间", db_index=True)
    content_type = models.CharField(max_length=120, blank=True)
    body = models.TextField("原始内容", blank=True)
    # True when the bytes were not valid UTF-8 and ``body`` holds a lossless escape of them.
    body_escaped = models.BooleanField(default=False)
    meta = models.JSONField("附加信息", default=dict, blank=True)
    remote_addr = models.GenericIPAddressField(null=True, blank=True)
    status = models.CharField("状态", max_length=12, choices=RawStatus.choices,
                              default=RawStatus.RECEIVED, db_index=True)
    error_code = models.CharField(max_length=60, blank=True)
    error_message = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    order = models.ForeignKey("orders.WorkOrder", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="raw_intakes")

    class Meta:
        verbose_name = "原始接入记录"
        verbose_name_plural = "原始接入记录"
        ordering = ["-received_at", "-pk"]
        indexes = [models.Index(fields=["channel", "source", "external_id"],
                                name="raw_intake_sender_ref")]

    def __str__(self) -> str:
        return f"{Channel.label_of(self.channel)} {self.external_id or self.pk}"


INLINE_IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})


class RawIntakeFile(models.Model):
    """A file that came with a payload (a citizen's or a grid worker's photo), kept with the
    raw row from the moment it arrived. The channel has already checked and re-encoded it;
    the bytes live in the media storage, not in this row. Registration attaches it to the
    order, the first time or on a retry alike (``actions.register_from``)."""

    raw = models.ForeignKey(RawIntake, on_delete=models.CASCADE, related_name="files")
    file = models.FileField("文件", upload_to="intake/%Y/%m/")
    name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    # The order's copy, once attached (null: not yet, or the attachment was refused).
    attachment = models.ForeignKey("orders.Attachment", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "原始接入附件"
        verbose_name_plural = "原始接入附件"
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        # Raster formats only: an SVG is a document that can carry script, never inline.
        return self.content_type in INLINE_IMAGE_TYPES
