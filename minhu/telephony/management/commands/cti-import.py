"""`minhu cti-import FILE.csv`: import the call-centre's call records (话单).

The file may be UTF-8 (with or without BOM) or GBK/GB18030, as exported by Excel on a
Chinese Windows; the encoding is detected. Headers in English (call_id, caller, agent,
queue, entered_at, answered_at, ended_at, outcome, wait_seconds, talk_seconds) or Chinese
(通话编号, 主叫号码, 坐席, 队列, 进线时间, 接听时间, 结束时间, 结果, 等待时长, 通话时长).
Each row is imported on its own: a bad row is listed with its line number and reason and
nothing of it is written; importing the same file again changes nothing.
"""

import csv
import io
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from minhu.telephony.records import HEADERS, import_rows

MAX_FILE_BYTES = 200 * 1024 * 1024


def decode(data: bytes) -> tuple[str, str]:
    """The text and the name of the encoding it was in (UTF-8 first, then GB18030, the
    superset of GBK that Chinese Excel writes)."""
    try:
        return data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "GBK"
    except UnicodeDecodeError:
        raise CommandError("无法识别文件编码：请另存为 UTF-8 或 GBK 编码的 CSV") from None


class Command(BaseCommand):
    help = "导入话务系统的通话记录（CSV，UTF-8 或 GBK 编码），用于计算接通率"

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV 文件路径")

    def handle(self, file, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在：{file}")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise CommandError(f"文件过大（最大 {MAX_FILE_BYTES // 2**20} MB），请拆分后导入")
        text, encoding = decode(path.read_bytes())
        reader = csv.DictReader(io.StringIO(text, newline=""))
        known = [h for h in (reader.fieldnames or []) if h.strip().lstrip("\ufeff") in HEADERS]
        if not known:
            raise CommandError("文件没有可识别的表头（需要 call_id/通话编号、entered_at/进线时间、"
                               "outcome/结果 等列）")
        rows, lines = [], []
        try:
            for row in reader:
                if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
                    continue  # blank lines at the end of Excel exports
                row.pop(None, None)  # cells beyond the header
                rows.append(row)
                lines.append(reader.line_num)
        except csv.Error as exc:
            raise CommandError(f"第 {reader.line_num} 行 CSV 格式错误：{exc}") from None
        self.stdout.write(f"{path.name}：{encoding} 编码，{len(rows)} 条记录")

        def progress(done, total):
            self.stderr.write(f"\r已处理 {done}/{total} 条", ending="")
            if done == total:
                self.stderr.write("")

        result = import_rows(rows, numbers=lines, progress=progress)
        self.stdout.write(f"新增 {result.created} 条，更新 {result.updated} 条，"
                          f"未变 {result.unchanged} 条，出错 {result.failed} 条")
        for error in result.errors:
            which = f"（通话编号 {error['call_id']}）" if error["call_id"] else ""
            self.stdout.write(f"  第 {error['row']} 行{which}：{error['message']}")
        if result.failed:
            raise CommandError(f"{result.failed} 行未导入，请修正后重新导入（已导入的行不会重复）")
