from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from minhu.core.clock import now
from minhu.workcal.arrangement import (
    apply_rows,
    decode,
    missing_year_warning,
    missing_years,
    parse_csv,
)


class Command(BaseCommand):
    help = (
        "从 CSV 文件导入法定节假日与调休上班日（按日期新增或更新）。"
        "文件三列：日期,类型,名称，首行可为表头 date,kind,name。"
        "日期写作 2027-01-01 或 2027/1/1；类型写 holiday/workday、休/班 或 假/班"
        "（holiday、休、假 = 放假；workday、班 = 调休上班）；名称可空，如 元旦、春节。"
        "编码可为 UTF-8（带或不带 BOM）或 GBK。任何一行有错时整个文件都不导入。"
        "例：2027-02-06,休,春节"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV 文件路径")
        parser.add_argument("--dry-run", action="store_true", help="只检查并报告，不写入数据库")

    def handle(self, *args, file, dry_run, **options):
        try:
            text = decode(Path(file).read_bytes())
        except OSError as exc:
            raise CommandError(f"无法读取文件 {file}：{exc.strerror or exc}")
        except ValueError as exc:
            raise CommandError(str(exc))
        parsed = parse_csv(text)
        for warning in parsed.warnings:
            self.stderr.write(self.style.WARNING(f"提醒：{warning}"))
        if parsed.errors:
            raise CommandError("文件有错误，未导入任何数据：\n" + "\n".join(parsed.errors))
        created, updated, unchanged = apply_rows(parsed.rows, dry_run=dry_run)
        prefix = "试运行（未写入数据库）：将" if dry_run else "导入完成："
        self.stdout.write(f"{prefix}新增 {created} 条，更新 {updated} 条，{unchanged} 条无变化")
        for year in missing_years(timezone.localdate(now())):
            self.stderr.write(self.style.WARNING(missing_year_warning(year)))
