from datetime import date

import pytest
from django.apps import apps

from minhu.workcal.apps import seed_on_first_migrate
from minhu.workcal.models import CalendarDay, DayKind
from minhu.workcal.seed import package_days, seed_from_package

pytestmark = pytest.mark.django_db


def test_migrating_a_fresh_database_fills_the_calendar_from_the_package():
    assert CalendarDay.objects.count() == len(package_days())


def test_holidays_carry_chinese_names():
    assert CalendarDay.objects.get(date=date(2025, 10, 1)).name == "国庆节"
    assert CalendarDay.objects.get(date=date(2025, 1, 29)).name == "春节"
    assert not CalendarDay.objects.filter(name__regex=r"[A-Za-z]").exists()


def test_seeding_again_adds_nothing():
    before = CalendarDay.objects.count()
    assert seed_from_package() == 0
    assert CalendarDay.objects.count() == before


def test_seeding_never_overwrites_an_administrators_edit():
    CalendarDay.objects.filter(date=date(2025, 10, 8)).update(kind=DayKind.WORKDAY, name="改为上班")
    seed_from_package()
    day = CalendarDay.objects.get(date=date(2025, 10, 8))
    assert (day.kind, day.name) == (DayKind.WORKDAY, "改为上班")


def test_seeding_fills_in_missing_dates():
    CalendarDay.objects.filter(date__year=2025).delete()
    assert seed_from_package() == len([d for d in package_days() if d.year == 2025])


def test_the_migrate_hook_seeds_only_an_empty_table():
    config = apps.get_app_config("workcal")
    CalendarDay.objects.filter(date__year=2025).delete()
    seed_on_first_migrate(config, apps=apps, using="default", verbosity=0)
    assert not CalendarDay.objects.filter(date__year=2025).exists()
    CalendarDay.objects.all().delete()
    seed_on_first_migrate(config, apps=apps, using="default", verbosity=0)
    assert CalendarDay.objects.count() == len(package_days())
