from django.core.management.base import BaseCommand

from minhu.workcal.arrangement import export_csv


class Command(BaseCommand):
    help = "以 CSV（date,kind,name，UTF-8）输出节假日日历，可用 holidays-import 再导入"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="只输出这一年（默认全部）")

    def handle(self, *args, year, **options):
        self.stdout.write(export_csv(year), ending="")
