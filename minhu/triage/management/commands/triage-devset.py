"""`minhu triage-devset --out FILE.csv [--label category|first_level|type|urgency]`:
the hand-labelled development set with its texts, for ``minhu triage-eval --test``.

Texts are joined at run time from the shared evaluation data (env MINHU_SHARED_DATA
overrides the location); without it the command explains what is missing and exits with 2.
"""

from django.core.management.base import BaseCommand, CommandError

from minhu.core.errors import MinhuError
from minhu.triage import devset


class Command(BaseCommand):
    help = "导出人工标注的开发集（编号、留言文本与标注），文本在运行时从共享评测数据读取"

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="输出 CSV 文件路径")
        parser.add_argument("--label", choices=devset.LABEL_COLUMNS, default=None,
                            help="只输出这一列标注（id,text,<列>）；默认输出全部标注列")

    def handle(self, out, label=None, **options):
        try:
            messages = devset.read_messages()
            labels = devset.read_labels()
            rows = devset.build_rows(labels, messages)
        except devset.SharedDataMissing as exc:
            # Exit code 2 tells calling scripts "no data here", not "the command broke".
            raise CommandError(f"[{exc.code}] {exc.message}", returncode=2) from exc
        except MinhuError as exc:
            raise CommandError(f"[{exc.code}] {exc.message}") from exc
        columns = ("id", "text", label) if label else devset.OUTPUT_COLUMNS
        try:
            with open(out, "w", encoding="utf-8", newline="") as fh:
                devset.write_rows(rows, fh, columns)
        except OSError as exc:
            raise CommandError(f"无法写入输出文件 {out}：{exc.strerror}") from exc
        self.stdout.write(f"已导出开发集 {len(rows)} 条到 {out}")
