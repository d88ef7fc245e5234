"""`minhu dedup-backfill [--days N]`: write the duplicate-detection signature of orders
registered before detection was installed (or imported in bulk), so new orders find them."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from minhu.core import clock
from minhu.dedup.detect import backfill


class Command(BaseCommand):
    help = "为尚无查重特征的历史工单补写特征（默认近 180 天）"

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=180, help="补写最近多少天的工单")

    def handle(self, days, **options):
        if not 1 <= days <= 3650:
            raise CommandError("--days 须在 1 到 3650 之间", returncode=2)
        since = clock.now() - timedelta(days=days)
        count = backfill(since, progress=lambda n: self.stdout.write(f"已补写 {n} 件"))
        self.stdout.write(f"完成：补写 {count} 件工单的查重特征")
