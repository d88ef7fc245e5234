"""Citizen messages from the command line, for operators:

    minhu messages status               counts by status, what is due, the last failures
    minhu messages test 13812345678     send a test SMS now through the configured backend
    minhu messages test ops@example.com send a test e-mail the same way
    minhu messages sweep                send what is due now (the worker does it every minute)
"""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count
from django.utils import timezone

from minhu.core import clock
from minhu.core.errors import MinhuError
from minhu.notices import delivery
from minhu.notices.addresses import mask_address
from minhu.notices.backends import backend_path
from minhu.notices.models import MessageStatus, MessageTemplate, OutgoingMessage
from minhu.notices.outgoing import send_email, send_sms
from minhu.notices.seeds import seed_templates


class Command(BaseCommand):
    help = "外发消息（短信、邮件）：查看状态、发送测试消息、立即补发到期消息"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True)
        sub.add_parser("status", help="各状态数量、待重试数量、最近的失败")
        test = sub.add_parser("test", help="立即通过当前配置的通道发送一条测试消息")
        test.add_argument("address", help="手机号或邮箱")
        sub.add_parser("sweep", help="立即发送所有到期的消息")

    def handle(self, *args, what, **options):
        return getattr(self, f"_{what}")(**options)

    def _status(self, **options):
        counts = dict(OutgoingMessage.objects.values_list("status").annotate(n=Count("pk")))
        for status in MessageStatus:
            self.stdout.write(f"{status.label}\t{counts.get(status.value, 0)}")
        self.stdout.write(f"到期待发\t{delivery.due().count()}")
        self.stdout.write(f"短信通道\t{backend_path('sms')}")
        self.stdout.write(f"邮件通道\t{backend_path('email')}")
        for m in OutgoingMessage.objects.filter(status=MessageStatus.FAILED)[:5]:
            self.stdout.write(f"失败 #{m.pk} {m.template} {mask_address(m.to)} "
                              f"（{m.attempts} 次）：{m.last_error}")

    def _test(self, address, **options):
        seed_templates(MessageTemplate)
        now = timezone.localtime(clock.now())
        context = {"time": f"{now:%Y-%m-%d %H:%M:%S}"}
        key = f"gateway_test:{now.timestamp()}"
        try:
            if "@" in address:
                message = send_email(address, "gateway_test_email", context, key=key)
            else:
                message = send_sms(address, "gateway_test", context, key=key)
        except MinhuError as exc:
            raise CommandError(exc.message) from exc
        if message is None:
            raise CommandError("未生成测试消息（消息发送已暂停）")
        # Outside a transaction the on-commit hand-off ran already (inline or queued);
        # deliver here too, so the operator sees the outcome (a second try is a no-op).
        delivery.deliver(message.pk)
        message.refresh_from_db()
        line = (f"#{message.pk} → {mask_address(message.to)} 通过 {message.backend or '-'}："
                f"{message.get_status_display()}")
        if message.status == MessageStatus.SENT:
            self.stdout.write(self.style.SUCCESS(line))
        else:
            raise CommandError(f"{line}；{message.last_error or '尚未发送（已交给后台任务）'}")

    def _sweep(self, **options):
        self.stdout.write(f"已发送 {delivery.sweep()} 条")
