"""`minhu triage-stats [--days N]`: rebuild the routing history triage learns from
(which unit finally solved each category in each community; returns per unit).

Runs nightly on its own (Huey); run it by hand after importing history or changing the
look-back window.
"""

from django.core.management.base import BaseCommand, CommandError

from minhu.triage.stats import rebuild


class Command(BaseCommand):
    help = "重建智能分拨的派单历史统计（各社区各分类由哪个单位办结、退回多少）"

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None,
                            help="回看天数（默认取智能分拨参数中的设置）")

    def handle(self, days=None, **options):
        if days is not None and not 1 <= days <= 3660:
            raise CommandError("回看天数须在 1–3660 之间")
        result = rebuild(days)
        self.stdout.write(
            f"近 {result['days']} 天：{result['solved']} 件办结、{result['returned']} 次退单，"
            f"写入 {result['cells']} 条统计，删除过期 {result['removed']} 条，"
            f"耗时 {result['seconds']} 秒")
