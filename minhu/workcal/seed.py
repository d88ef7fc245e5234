"""Fill the CalendarDay table from the chinese-calendar package.

The package carries the State Council's arrangements up to the year it was released
(2026 for 1.11); later years are imported by an administrator (``minhu holidays-import``).
"""

from django.db import DEFAULT_DB_ALIAS

from .clock import WorkCalendar
from .models import CalendarDay, DayKind

# The package names holidays in English; the people reading our screens do not.
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def package_days() -> dict:
    """Every date the package knows, mapped to (kind, Chinese name)."""
    from chinese_calendar import constants

    days = {}
    for table, kind in (
        (constants.holidays, DayKind.HOLIDAY),
        (constants.workdays, DayKind.WORKDAY),
    ):
        for day, name in table.items():
            days[day] = (kind, HOLIDAY_NAMES.get(name, name)[:40])
    return days


def seed_from_package(using: str = DEFAULT_DB_ALIAS, model=CalendarDay) -> int:
    """Add the package's dates that the table does not have yet; return how many.

    Dates already present are left alone, so an administrator's edits survive.
    ``model`` lets the post_migrate hook pass the historical model.
    """
    existing = set(model.objects.using(using).values_list("date", flat=True))
    rows = [
        model(date=day, kind=kind, name=name)
        for day, (kind, name) in sorted(package_days().items())
        if day not in existing
    ]
    model.objects.using(using).bulk_create(rows, batch_size=500)
    WorkCalendar.reset()
    return len(rows)
