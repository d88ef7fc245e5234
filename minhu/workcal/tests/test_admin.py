from datetime import date

import pytest
from django.urls import reverse

from minhu.workcal.clock import calendar
from minhu.workcal.models import CalendarDay, DayKind

pytestmark = pytest.mark.django_db


def test_the_list_filters_by_year_and_kind(admin_client):
    url = reverse("admin:workcal_calendarday_changelist")
    response = admin_client.get(url, {"year": "2025", "kind": "workday"})
    assert response.status_code == 200
    assert "星期日" in response.text  # Sunday Sep 28, a make-up workday
    assert "2024 年" in response.text


def test_saving_a_day_in_the_admin_takes_effect_at_once(admin_client):
    day = CalendarDay.objects.get(date=date(2025, 10, 8))
    assert not calendar.is_workday(day.date)
    url = reverse("admin:workcal_calendarday_change", args=[day.pk])
    data = {"date": "2025-10-08", "kind": DayKind.WORKDAY, "name": "国庆节"}
    assert admin_client.post(url, data).status_code == 302
    assert calendar.is_workday(day.date)


def test_deleting_a_day_in_the_admin_takes_effect_at_once(admin_client):
    day = CalendarDay.objects.get(date=date(2025, 10, 8))
    assert not calendar.is_workday(day.date)
    url = reverse("admin:workcal_calendarday_delete", args=[day.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert calendar.is_workday(day.date)
