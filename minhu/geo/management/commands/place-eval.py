"""`minhu place-eval --data FILE.csv`: measure place resolution on a labelled set.

Columns: address, content, lat, lng, expected (unit code), optional case. Prints a
breakdown by case and the misses (with --verbose), then as its last line one JSON object:
{n, community_accuracy, street_accuracy, district_accuracy, p50_ms, p95_ms, ...}.
"""

import csv
import io
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from minhu.core.errors import MinhuError
from minhu.geo.evaluation import evaluate


class Command(BaseCommand):
    help = "评测地点识别：按评测集计算社区/街道/区县准确率与耗时（最后一行输出 JSON）"

    def add_arguments(self, parser):
        parser.add_argument("--data", required=True, metavar="FILE.csv", help="评测集 CSV")
        parser.add_argument("--verbose", action="store_true", help="列出识别错误的行")

    def handle(self, data, verbose=False, **options):
        path = Path(data)
        if not path.is_file():
            raise CommandError(f"文件不存在：{data}")
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise CommandError("文件须为 UTF-8 编码的 CSV") from None
        try:
            rows = list(csv.DictReader(io.StringIO(text, newline="")))
        except csv.Error as exc:
            raise CommandError(f"CSV 格式错误：{exc}") from None
        if not rows:
            raise CommandError("评测集为空")
        try:
            report = evaluate(rows)
        except MinhuError as exc:
            raise CommandError(exc.message) from None
        for case, (right, total) in sorted(report.cases.items()):
            self.stdout.write(f"  {case:<24} {right:>4}/{total:<4} {right / total:.0%}")
        if verbose:
            for miss in report.misses:
                self.stdout.write("  ✗ " + miss)
        self.stdout.write(json.dumps(report.summary(), ensure_ascii=False))
