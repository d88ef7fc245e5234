from django.core.management.base import BaseCommand

from minhu.orders.transitions import as_markdown


class Command(BaseCommand):
    help = "以 Markdown 表格打印工单状态转换表（ARCHITECTURE.md 中的表格由此生成）"

    def handle(self, *args, **options):
        self.stdout.write(as_markdown())
