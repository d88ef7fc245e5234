from django.core.management.base import BaseCommand
from django.db.models import Count, Q
from django.utils import timezone

from minhu.core.clock import now
from minhu.workcal.arrangement import missing_year_warning, missing_years
from minhu.workcal.models import CalendarDay, DayKind


class Command(BaseCommand):
    help = "检查今年和明年的法定节假日安排是否已导入"

    def handle(self, *args, **options):
        today = timezone.localdate(now())
        for year in (today.year, today.year + 1):
            counts = CalendarDay.objects.filter(date__year=year).aggregate(
                holidays=Count("id", filter=Q(kind=DayKind.HOLIDAY)),
                workdays=Count("id", filter=Q(kind=DayKind.WORKDAY)),
            )
            self.stdout.write(
                f"{year} 年：法定节假日 {counts['holidays']} 天，调休上班日 {counts['workdays']} 天"
            )
        missing = missing_years(today)
        for year in missing:
            self.stderr.write(self.style.WARNING(missing_year_warning(year)))
        if not missing:
            self.stdout.write(self.style.SUCCESS("节假日安排已齐全"))
