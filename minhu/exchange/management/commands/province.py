"""`minhu province`: set up and watch the exchange with the provincial 12345 platform.

    minhu province configure --url https://province.example/updates --secret S
    minhu province token          # a token with scope province for the province to push
    minhu province status         # endpoint, pending updates, oldest pending
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from minhu.accounts.models import ApiToken, Scope
from minhu.core.errors import MinhuError

from ...health import exchange_health
from ...inbound import service_actor
from ...outbound import configure


class Command(BaseCommand):
    help = "省级平台交换：configure（推送地址与密钥）/ token（签发下派令牌）/ status"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True)
        cfg = sub.add_parser("configure", help="设置向省级平台推送状态的地址与签名密钥")
        cfg.add_argument("--url", required=True)
        cfg.add_argument("--secret", required=True)
        cfg.add_argument("--name", default="省级12345平台")
        cfg.add_argument("--inactive", action="store_true", help="暂停推送（更新仍会排队）")
        tok = sub.add_parser("token", help="为省级平台签发下派工单用的令牌（只显示一次）")
        tok.add_argument("--name", default="省级平台下派")
        sub.add_parser("status", help="交换状态")

    def handle(self, what, **options):
        if what == "configure":
            try:
                target = configure(options["url"], options["secret"], name=options["name"],
                                   active=not options["inactive"])
            except MinhuError as exc:
                raise CommandError(exc.message) from None
            state = "已启用" if target.is_active else "已暂停"
            self.stdout.write(f"省级平台推送地址已设置：{target.url}（{state}）")
        elif what == "token":
            _, key = ApiToken.objects.issue(service_actor(), options["name"][:100],
                                            [Scope.PROVINCE])
            self.stdout.write(key)
            self.stdout.write(self.style.WARNING("令牌只显示这一次，请交给省级平台妥善保存"))
        else:
            h = exchange_health()
            if h["endpoint"] is None:
                self.stdout.write("尚未设置省级平台推送地址（minhu province configure）")
                return
            self.stdout.write(f"推送地址：{h['endpoint'].url}")
            self.stdout.write(f"状态：{h['label']}")
            self.stdout.write(f"待推送：{h['pending']}，已停止重试：{h['dead']}")
            if h["oldest_pending"]:
                oldest = timezone.localtime(h["oldest_pending"]).strftime("%Y-%m-%d %H:%M:%S")
                self.stdout.write(f"最早待推送：{oldest}")
            if h["last_error"]:
                self.stdout.write(f"最近错误：{h['last_error']}")
