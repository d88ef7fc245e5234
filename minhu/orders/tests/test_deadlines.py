"""Time limits on the working-day calendar and in calendar hours, with pinned time."""

from datetime import datetime, timedelta

import pytest

from minhu.catalog.models import UrgencyTier
from minhu.conftest import CITY_TZ
from minhu.orders.actions import (
    do_request_extension,
    do_return,
    do_review_extension,
    do_review_return,
    do_sign,
    send_daily_reminders,
    sweep_deadlines,
)
from minhu.orders.models import Urging
from minhu.orders.states import UrgeKind


def local(*parts):
    return datetime(*parts, tzinfo=CITY_TZ)


@pytest.fixture
def three_workday_tier(db):
    tier = UrgencyTier.objects.get(code="normal")
    tier.handle_limit, tier.handle_unit = 3, "workdays"
    tier.save()
    return tier


def test_three_working_days_skip_national_day_and_end_on_the_make_up_saturday(
        three_workday_tier, dispatched_order, at):
    # Tuesday 30 Sep 2025, 10:00: 14 h count that day, 1–8 Oct are holidays, Thu 9 and
    # Fri 10 count in full, and Saturday 11 Oct is a make-up workday (调休) that counts.
    with at(2025, 9, 30, 10):
        order = dispatched_order()
    assert order.due_at == local(2025, 10, 11, 10)


def test_working_days_started_on_a_holiday_begin_on_the_next_working_day(
        three_workday_tier, dispatched_order, at):
    with at(2025, 10, 3, 15):
        order = dispatched_order()
    # Thu 9, Fri 10, Sat 11 (调休) are the three working days.
    assert order.due_at == local(2025, 10, 12, 0)


def test_working_days_across_the_spring_festival_count_the_make_up_sunday(
        three_workday_tier, dispatched_order, at):
    # 2025: Sun 26 Jan is a make-up workday; 28 Jan–4 Feb is the holiday.
    with at(2025, 1, 25, 9):  # Saturday: no clock
        order = dispatched_order()
    # Sun 26, Mon 27 count, then the holiday, then Wed 5 Feb is the third day.
    assert order.due_at == local(2025, 2, 6, 0)


def test_a_sign_limit_in_working_days_does_not_run_over_a_holiday(city, dispatched_order, at):
    with at(2025, 6, 2, 9):  # Dragon Boat Festival (Monday, a holiday)
        order = dispatched_order()
    assert order.assignments.get(role="lead").sign_due_at == local(2025, 6, 4, 0)


def test_calendar_hour_limits_ignore_holidays(dispatched_order, at):
    with at(2025, 10, 1, 9):
        order = dispatched_order(urgency="urgent")
    assert order.due_at == local(2025, 10, 1, 11)


def test_time_waiting_for_a_return_review_is_not_charged_to_the_unit(
        city, dispatched_order, at):
    with at(2025, 6, 2, 9):
        order = dispatched_order()
    due = order.due_at
    with at(2025, 6, 3, 9):
        do_return(order, city.street_handler, "该问题属于市政道路管理范围，不属我街道职责")
    with at(2025, 6, 5, 9):
        order = do_review_return(order, city.dispatcher, approve=False,
                                 note="经核实属于街道属地管理")
    assert order.due_at == due + timedelta(days=2)
    assert order.paused_at is None
    assert list(order.events.values_list("action", flat=True))[-2:] == [
        "return", "review_return"]


def test_an_approved_extension_moves_the_deadline_and_is_on_the_timeline(
        city, dispatched_order, at):
    with at(2025, 6, 2, 9):
        order = dispatched_order()
        do_sign(order, city.street_handler)
        due = order.due_at
    with at(2025, 6, 4, 9):
        do_request_extension(order, city.street_handler, 3, "days", "需协调产权单位")
        order = do_review_extension(order, city.dispatcher, approve=True, note="同意")
    assert order.due_at == due + timedelta(days=3)
    event = order.events.get(action="review_extension")
    assert datetime.fromisoformat(event.data["new_due_at"]) == due + timedelta(days=3)


def test_the_sweep_turns_orders_yellow_then_red_once_and_urges_the_unit(
        city, dispatched_order, at):
    with at(2025, 6, 2, 9):
        order = dispatched_order()  # 一般: 7 days, yellow at 80 %
    with at(2025, 6, 8, 9):  # 6 of 7 days used
        sweep_deadlines()
    order.refresh_from_db()
    assert order.is_yellow and not order.is_overdue
    with at(2025, 6, 9, 9, 1):
        first = sweep_deadlines()
        second = sweep_deadlines()
    order.refresh_from_db()
    assert order.is_overdue
    assert first["overdue"] >= 1 and second == {"yellow": 0, "overdue": 0, "late_sign": 0}
    actions = list(order.events.values_list("action", flat=True))
    assert actions.count("flag_yellow") == 1 and actions.count("flag_overdue") == 1
    assert Urging.objects.filter(order=order, kind=UrgeKind.SYSTEM).count() == 1


def test_an_unsigned_order_is_flagged_late_after_the_sign_limit(city, dispatched_order, at):
    with at(2025, 6, 9, 9):  # Monday; 一般 orders are signed within one working day
        order = dispatched_order()
    with at(2025, 6, 10, 8, 59):
        assert sweep_deadlines()["late_sign"] == 0
    with at(2025, 6, 10, 9, 30):
        sweep_deadlines()
    lead = order.assignments.get(role="lead")
    assert lead.is_sign_overdue
    assert order.events.filter(action="sign_overdue", target_unit=lead.unit).count() == 1


def test_daily_reminders_go_once_per_unit_per_day(city, dispatched_order, at):
    from minhu.notices.models import Notice

    with at(2025, 6, 2, 8):
        dispatched_order()
        dispatched_order()
        assert send_daily_reminders() >= 1
        assert send_daily_reminders() == 0
    notice = Notice.objects.get(kind="daily_reminder", unit=city.unit("DC01"))
    assert "在办工单 2 件" in notice.text
