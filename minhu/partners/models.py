"""Partners: systems that file requests for citizens (the WeChat mini program, hotlines
merged into 12345, departments' own systems) through the partner API.

Each partner registers orders as its own service account (so the timeline says who filed
them), authenticates with keys issued to that account, and may have a webhook (an outbox
endpoint) that hears every state change of its orders.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from minhu.accounts.models import Scope
from minhu.orders.states import Channel

# The channels a partner's orders may carry (the pool keeps the channel for statistics).
PARTNER_CHANNELS = (Channel.WECHAT, Channel.HOTLINE, Channel.PARTNER)


def default_scopes() -> list:
    return [Scope.INTAKE.value]


class Partner(models.Model):
    code = models.SlugField(_("代码"), max_length=30, unique=True,
                            help_text=_("字母、数字、连字符；用作外部编号前缀，创建后不要修改"))
    name = models.CharField(_("名称"), max_length=100)
    channel = models.CharField(_("渠道"), max_length=20,
                               choices=[(c.value, c.label) for c in PARTNER_CHANNELS])
    account = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("服务账号"),
                                   on_delete=models.PROTECT, related_name="partner")
    endpoint = models.OneToOneField("outbox.Endpoint", verbose_name=_("状态回调"), null=True,
                                    blank=True, on_delete=models.SET_NULL,
                                    related_name="partner")
    is_active = models.BooleanField(_("启用"), default=True)
    # The scopes keys of this partner may carry (issue-key never grants more).
    scopes = models.JSONField(_("允许的权限范围"), default=default_scopes, blank=True)
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        verbose_name = _("合作方")
        verbose_name_plural = _("合作方")
        ordering = ["code"]

    def __str__(self):
        return f"{self.name}（{self.code}）"

    def external_id(self, their_id: str) -> str:
        """Stored on the order: two partners' ids never collide."""
        return f"{self.code}:{their_id}"


class PartnerRequest(models.Model):
    """A request a partner filed under its own id: the order it became and a hash of what
    was sent, so a replay is answered with the same order and a reused id is refused."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="requests")
    their_id = models.CharField(_("合作方编号"), max_length=64)
    order = models.OneToOneField("orders.WorkOrder", on_delete=models.CASCADE,
                                 related_name="partner_request")
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("提交时间"))

    class Meta:
        verbose_name = _("合作方诉求")
        verbose_name_plural = _("合作方诉求")
        constraints = [models.UniqueConstraint(fields=["partner", "their_id"],
                                               name="uniq_partner_their_id")]
        indexes = [models.Index(fields=["partner", "created_at"], name="partner_req_created")]

    def __str__(self):
        return f"{self.partner.code}:{self.their_id}"
