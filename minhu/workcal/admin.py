from django.contrib import admin
from django.db import transaction
from django.db.models.functions import ExtractYear

from .arrangement import WEEKDAYS
from .clock import WorkCalendar
from .models import CalendarDay


class YearFilter(admin.SimpleListFilter):
    title = "年份"
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = (
            CalendarDay.objects.annotate(y=ExtractYear("date"))
            .values_list("y", flat=True)
            .distinct()
            .order_by("-y")
        )
        return [(str(y), f"{y} 年") for y in years]

    def queryset(self, request, queryset):
        if (self.value() or "").isdigit():
            return queryset.filter(date__year=self.value())
        return queryset


def _forget_cached_calendar() -> None:
    # Clear now for this request, and again after commit so that nothing cached from
    # the uncommitted state survives; other processes notice through the fingerprint.
    WorkCalendar.reset()
    transaction.on_commit(WorkCalendar.reset)


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "weekday", "kind", "name")
    list_filter = (YearFilter, "kind")
    search_fields = ("name",)
    date_hierarchy = "date"
    list_per_page = 100

    @admin.display(description="星期")
    def weekday(self, obj):
        return f"星期{WEEKDAYS[obj.date.weekday()]}"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        _forget_cached_calendar()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        _forget_cached_calendar()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        _forget_cached_calendar()
