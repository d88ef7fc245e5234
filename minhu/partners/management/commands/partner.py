"""`minhu partner`: partners of the partner API.

    minhu partner add yz-wxapp --name "云州12345小程序" --channel wechat \\
        --webhook https://wx.example.cn/hooks/minhu
    minhu partner issue-key yz-wxapp
    minhu partner webhook yz-wxapp https://wx.example.cn/hooks/minhu
    minhu partner list
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from minhu.core.errors import MinhuError
from minhu.outbox.models import Delivery, DeliveryStatus
from minhu.partners.actions import add_partner, issue_key, set_webhook
from minhu.partners.models import PARTNER_CHANNELS, Partner

SECRET_NOTE = ("回调签名密钥（请交给合作方，用于校验 X-Minhu-Signature；"
               "可在管理后台的推送端点中查看）：")


class Command(BaseCommand):
    help = "合作方接入：add（新增）/ issue-key（签发密钥）/ webhook（设置回调）/ list（列表）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        add = sub.add_parser("add", help="新增合作方（同时创建其服务账号）")
        add.add_argument("code", help="合作方代码：2–30 位小写字母、数字或连字符")
        add.add_argument("--name", required=True, help="名称，如“云州12345小程序”")
        add.add_argument("--channel", required=True,
                         choices=[c.value for c in PARTNER_CHANNELS],
                         help="wechat 小程序 / hotline 并入热线 / partner 部门系统")
        add.add_argument("--webhook", default="", help="状态回调地址（可选）")
        key = sub.add_parser("issue-key", help="签发 API 密钥（只显示一次）")
        key.add_argument("code")
        key.add_argument("--name", default="", help="密钥用途")
        hook = sub.add_parser("webhook", help="设置或更换状态回调地址")
        hook.add_argument("code")
        hook.add_argument("url")
        sub.add_parser("list", help="列出合作方")

    def handle(self, verb, **options):
        try:
            getattr(self, "do_" + verb.replace("-", "_"))(**options)
        except MinhuError as exc:
            raise CommandError(exc.message) from None

    def _partner(self, code) -> Partner:
        partner = Partner.objects.select_related("endpoint").filter(code=code).first()
        if partner is None:
            raise CommandError(f"合作方 {code} 不存在（minhu partner list 查看）")
        return partner

    def do_add(self, code, name, channel, webhook, **_):
        partner, secret = add_partner(code, name, channel, webhook)
        self.stdout.write(f"已新增合作方 {partner}，服务账号 {partner.account.username}")
        if secret:
            self.stdout.write(SECRET_NOTE)
            self.stdout.write(secret)
        self.stdout.write(f"下一步：minhu partner issue-key {partner.code}")

    def do_issue_key(self, code, name, **_):
        partner = self._partner(code)
        token, key = issue_key(partner, name)
        self.stdout.write(f"已为 {partner} 签发密钥（前缀 {token.prefix}，"
                          f"范围 {'、'.join(token.scopes)}）：")
        self.stdout.write(key)
        self.stdout.write(self.style.WARNING(
            "密钥只显示这一次；调用时使用请求头 Authorization: Bearer <密钥>"))

    def do_webhook(self, code, url, **_):
        partner = self._partner(code)
        secret = set_webhook(partner, url)
        self.stdout.write(f"{partner} 的状态回调已设为 {url}")
        self.stdout.write(SECRET_NOTE)
        self.stdout.write(secret)

    def do_list(self, **_):
        rows = Partner.objects.select_related("endpoint").order_by("code")
        if not rows:
            self.stdout.write("尚无合作方（minhu partner add 新增）")
        for p in rows:
            hook = p.endpoint.url if p.endpoint else "—"
            dead = Delivery.objects.filter(endpoint=p.endpoint, status=DeliveryStatus.DEAD) \
                .count() if p.endpoint else 0
            state = "启用" if p.is_active else "停用"
            created = timezone.localtime(p.created_at).strftime("%Y-%m-%d")
            self.stdout.write(f"{p.code}\t{p.name}\t{p.channel}\t{state}\t{created}\t"
                              f"回调 {hook}\t停止重试 {dead}\t诉求 {p.requests.count()}")
