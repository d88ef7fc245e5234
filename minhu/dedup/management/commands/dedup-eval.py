"""`minhu dedup-eval --data FILE.csv`: pairwise precision / recall / F1 of duplicate and
incident detection on a labelled file (columns id, group, text, address, created_at, and
optionally phone). Needs no database; the last line printed is one JSON object."""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from minhu.dedup.evaluate import BadInput, decode, evaluate, read_rows

MAX_FILE_BYTES = 200 * 1024 * 1024


class Command(BaseCommand):
    help = ("评估重复诉求/事件识别：按时间顺序逐行识别，"
            "输出成对精确率、召回率和 F1（最后一行为 JSON）")
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--data", required=True, help="CSV：id, group, text, address, "
                            "created_at（ISO 8601），可选 phone")

    def handle(self, data, **options):
        try:
            path = Path(data)
            if not path.is_file():
                raise BadInput(f"文件不存在：{data}")
            if path.stat().st_size > MAX_FILE_BYTES:
                raise BadInput(f"文件过大（最大 {MAX_FILE_BYTES // 2**20} MB）")
            result = evaluate(read_rows(decode(path.read_bytes())))
        except BadInput as error:
            self.stderr.write(f"错误：{error}")
            sys.exit(2)
        self.stdout.write(
            f"{result['n']} 行，{result['groups']} 组 → {result['clusters']} 簇；"
            f"重复来电 {result['repeat_links']} 条，事件归并 {result['incident_links']} 条")
        self.stdout.write(json.dumps(result, ensure_ascii=False))
