from django.db import models

from minhu.core.choices import Choices


class DayKind(Choices):
    HOLIDAY = "holiday", "法定节假日（休息）"
    WORKDAY = "workday", "调休上班日"


class CalendarDay(models.Model):
    """An exception to the plain rule "Monday–Friday work, weekend rest".

    Seeded from the chinese-calendar package for the years it covers; the State
    Council publishes each new year's arrangement in November or December, and an
    administrator adds it here (admin or ``minhu holidays-import``).
    """

    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=10, choices=DayKind.choices)
    name = models.CharField("名称", max_length=40, blank=True)

    class Meta:
        verbose_name = "节假日/调休日"
        verbose_name_plural = "节假日日历"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"
