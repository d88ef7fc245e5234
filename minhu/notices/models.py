from django.conf import settings
from django.db import models


class Notice(models.Model):
    """A message to a unit's inbox (or to one person): new order, urging, reminder,
    review result. Citizens get SMS / e-mail through ``OutgoingMessage`` instead."""

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


class MessageKind(models.TextChoices):
    SMS = "sms", "短信"
    EMAIL = "email", "电子邮件"


class MessageStatus(models.TextChoices):
    QUEUED = "queued", "待发送"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"
    SUPPRESSED = "suppressed", "未发送（已拦截）"


class MessageTemplate(models.Model):
    """The wording of one kind of citizen message, edited by operators in the admin.
    ``{name}`` placeholders are filled from the caller's context (see docs/notifications.md)."""

    code = models.SlugField("代码", max_length=40, unique=True,
                            help_text="程序按代码取用模板，请勿修改")
    kind = models.CharField("类型", max_length=10, choices=MessageKind.choices,
                            default=MessageKind.SMS)
    name = models.CharField("名称", max_length=60)
    subject = models.CharField("邮件主题", max_length=120, blank=True)
    body = models.TextField("正文", max_length=1000,
                            help_text="用 {占位符} 插入内容，例如 {number}")
    is_active = models.BooleanField("启用", default=True,
                                    help_text="停用后此类消息不再发送（记为已拦截）")
    transactional = models.BooleanField(
        "事务性消息", default=False,
        help_text="市民本人请求的消息（如验证码）：退订后仍发送，且不附退订提示")
    updated_at = models.DateTimeField("修改时间", null=True, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name="修改人")

    class Meta:
        verbose_name = "消息模板"
        verbose_name_plural = "消息模板"
        ordering = ["code"]

    def __str__(self):
        return f"{self.name}（{self.code}）"


class OutgoingMessage(models.Model):
    """One SMS or e-mail to a citizen. Written in the caller's transaction, delivered
    after commit by a Huey task; ``key`` makes every message exactly-once."""

    kind = models.CharField("类型", max_length=10, choices=MessageKind.choices)
    to = models.CharField("收件人", max_length=254, db_index=True)
    template = models.CharField("模板", max_length=40, db_index=True)
    subject = models.CharField("主题", max_length=200, blank=True)
    text = models.TextField("内容")
    key = models.CharField(max_length=160, unique=True)
    order = models.ForeignKey("orders.WorkOrder", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="outgoing_messages",
                              verbose_name="工单")
    transactional = models.BooleanField("事务性", default=False)
    status = models.CharField("状态", max_length=12, choices=MessageStatus.choices,
                              default=MessageStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    last_error = models.CharField("最近错误 / 拦截原因", max_length=500, blank=True)
    backend = models.CharField("发送通道", max_length=120, blank=True)
    provider_id = models.CharField("网关回执编号", max_length=120, blank=True)
    created_at = models.DateTimeField("创建时间", db_index=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    next_attempt_at = models.DateTimeField("下次重试", null=True, blank=True)

    class Meta:
        verbose_name = "外发消息"
        verbose_name_plural = "外发消息"
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The retry sweep reads exactly the rows still waiting.
            models.Index(fields=["next_attempt_at"], name="outgoing_due",
                         condition=models.Q(status="queued")),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.template} #{self.pk}"


class OptOutSource(models.TextChoices):
    SMS_REPLY = "sms_reply", "短信回复退订"
    LINK = "link", "退订链接"
    ADMIN = "admin", "后台登记"
    PORTAL = "portal", "市民门户"
    HOTLINE = "hotline", "热线来电"


class OptOut(models.Model):
    """A phone number or e-mail address that asked for no more non-transactional
    messages. Opting back in keeps the row (history) and clears ``active``."""

    address = models.CharField("号码 / 邮箱", max_length=254, unique=True)
    kind = models.CharField("类型", max_length=10, choices=MessageKind.choices)
    active = models.BooleanField("退订中", default=True)
    source = models.CharField("来源", max_length=30, choices=OptOutSource.choices)
    opted_out_at = models.DateTimeField("退订时间")
    opted_in_at = models.DateTimeField("恢复时间", null=True, blank=True)

    class Meta:
        verbose_name = "退订"
        verbose_name_plural = "退订"
        ordering = ["-opted_out_at"]

    def __str__(self):
        return self.address


class InboundSms(models.Model):
    """A reply the SMS gateway passed on: kept as received, with what we did about it
    (the proof of an opt-out, should a citizen ask why messages stopped)."""

    sender = models.CharField("发送号码", max_length=32)
    text = models.CharField("内容", max_length=500)
    received_at = models.DateTimeField("收到时间", db_index=True)
    action = models.CharField("处理", max_length=20)

    class Meta:
        verbose_name = "上行短信"
        verbose_name_plural = "上行短信"
        ordering = ["-received_at"]
