"""The routing history: which unit finally solved each category in each community, and
who returned what, rebuilt from the orders by ``stats.rebuild`` and ``minhu triage-stats``."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from minhu.orders import actions as a
from minhu.triage.models import RoutingStat
from minhu.triage.stats import rebuild, rebuild_routing_stats_nightly


def close(order, city, handler=None):
    handler = handler or city.street_handler
    order = a.do_sign(order, handler)
    order = a.do_reply(order, handler, "已协调店主整改，噪声问题已解决", solved=True)
    return a.do_callback(order, city.callback_agent, reached=True, resolved="yes",
                         satisfaction="satisfied")


def cell(category="CG01", community="DC0101"):
    return {s.unit.code: (s.solved, s.returned) for s in RoutingStat.objects.filter(
        category__code=category, community__code=community).select_related("unit")}


def test_closed_orders_count_for_the_unit_that_finally_led(city, dispatched_order, at):
    with at(2025, 9, 1, 10):
        for _ in range(2):
            close(dispatched_order(), city)
        dispatched_order()  # still open: not counted
    with at(2025, 9, 2, 10):
        result = rebuild()
    assert cell() == {"DC01": (2, 0)}
    assert result["solved"] == 2 and result["cells"] == 1


def test_returns_count_against_the_unit_that_returned(city, dispatched_order, at):
    with at(2025, 9, 1, 10):
        order = dispatched_order(lead="CGJ")
        order = a.do_return(order, city.department_handler, "属于街道属地管理的油烟噪声问题")
        order = a.do_review_return(order, city.dispatcher, approve=True,
                                   lead_unit=city.unit("DC01").pk)
        close(order, city)
        # A rejected return means the unit was right after all: it does not count.
        other = dispatched_order()
        other = a.do_return(other, city.street_handler, "不属于本街道")
        a.do_review_return(other, city.dispatcher, approve=False, note="经核实属于本街道")
    with at(2025, 9, 2, 10):
        rebuild()
    assert cell() == {"DC01": (1, 0), "CGJ": (0, 1)}


def test_orders_outside_the_window_are_left_out_and_stale_cells_removed(
        city, dispatched_order, at):
    with at(2025, 5, 1, 10):
        close(dispatched_order(), city)
    with at(2025, 5, 2, 10):
        rebuild()
    assert cell() == {"DC01": (1, 0)}
    with at(2025, 9, 2, 10):  # more than 90 days later
        result = rebuild()
    assert cell() == {}
    assert result["removed"] == 1


def test_a_rebuild_updates_existing_cells_in_place(city, dispatched_order, at):
    with at(2025, 9, 1, 10):
        close(dispatched_order(), city)
    with at(2025, 9, 1, 12):
        rebuild()
        first = RoutingStat.objects.get()
    with at(2025, 9, 1, 14):
        close(dispatched_order(), city)
    with at(2025, 9, 2, 10):
        rebuild()
    again = RoutingStat.objects.get()
    assert again.pk == first.pk and again.solved == 2


def test_the_window_can_be_given(city, dispatched_order, at):
    with at(2025, 9, 1, 10):
        close(dispatched_order(), city)
    with at(2025, 9, 20, 10):
        assert rebuild(days=7)["cells"] == 0
        assert rebuild(days=30)["cells"] == 1


def test_the_command_rebuilds_and_says_what_it_did(city, dispatched_order):
    close(dispatched_order(), city)
    out = StringIO()
    call_command("triage-stats", stdout=out)
    assert "1 件办结" in out.getvalue() and "写入 1 条统计" in out.getvalue()
    with pytest.raises(CommandError, match="回看天数"):
        call_command("triage-stats", "--days", "0")


def test_the_nightly_job_runs_the_same_rebuild(city, dispatched_order):
    close(dispatched_order(), city)
    rebuild_routing_stats_nightly.call_local()
    assert cell() == {"DC01": (1, 0)}
