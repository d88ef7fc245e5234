"""Auto-dispatch: every new order is triaged after it is registered; above the policy's
threshold it is dispatched by the triage service account, otherwise it waits in the queue.

Time is frozen (time-machine) so the moments on the timeline are exact and the job sees
the registration as a fresh request, not a replay."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from minhu.catalog.models import Category
from minhu.core import clock
from minhu.orders import actions as a
from minhu.org.models import Unit
from minhu.triage import autodispatch, routing
from minhu.triage import suggest as suggest_module
from minhu.triage.models import RoutingStat, TriagePolicy, TriageRecord
from minhu.triage.types import Classification, DuplicateHint, Guess

MOMENT = datetime(2025, 9, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def frozen():
    routing.clear_cache()
    with time_machine.travel(MOMENT, tick=False):
        yield
    routing.clear_cache()


@pytest.fixture
def policy(db):
    def set_policy(on=True, threshold=0.9):
        p = TriagePolicy.current()
        p.auto_dispatch, p.auto_dispatch_threshold = on, threshold
        p.save()
        return p

    return set_policy


@pytest.fixture
def register(new_order, django_capture_on_commit_callbacks):
    """Register as the agent and run what happens after commit (the triage job runs inline:
    Huey is in immediate mode in tests)."""

    def make(**fields):
        with django_capture_on_commit_callbacks(execute=True):
            order = new_order(**fields)
        order.refresh_from_db()
        return order

    return make


def history(community, category, unit, solved, returned=0):
    RoutingStat.objects.create(community=Unit.objects.get(code=community),
                               category=Category.objects.get(code=category),
                               unit=Unit.objects.get(code=unit), solved=solved,
                               returned=returned, updated_at=clock.now())


def timeline(order):
    return list(order.events.order_by("seq").values_list("action", "actor__username",
                                                         "note", "at"))


def test_above_the_threshold_the_order_is_dispatched_by_triage(city, policy, register):
    policy(on=True, threshold=0.9)
    history("DC0201", "CG01", "DC02", 12)
    order = register(community="DC0201", category="CG01")
    assert order.state == "dispatched" and order.lead_unit.code == "DC02"
    events = timeline(order)
    assert [e[0] for e in events] == ["register", "dispatch"]
    action, actor, note, at = events[1]
    assert actor == autodispatch.BOT_USERNAME and at == MOMENT
    assert note.startswith("智能分拨自动派单：权责清单: 噪声扰民→锦绣街道 牵头; "
                           "近90天同社区同类 12 件由锦绣街道办结（置信度 ")
    assert note.endswith("%）")
    co = set(order.assignments.filter(role="co").values_list("unit__code", flat=True))
    assert co == {"CGJ", "HBJ", "DC0201"}
    rec = TriageRecord.objects.get(order=order)
    assert rec.auto_dispatched and rec.lead_unit.code == "DC02" and rec.route_confidence >= 0.9


def test_the_triage_account_is_a_dispatcher_and_nothing_else(city, policy, register):
    policy(on=True)
    history("DC0201", "CG01", "DC02", 12)
    register(community="DC0201", category="CG01")
    bot = city.user(autodispatch.BOT_USERNAME)
    assert set(bot.roles) == {"dispatcher"}
    assert not bot.has_usable_password()
    assert bot.unit.kind == "centre"


def test_below_the_threshold_the_order_waits_with_its_suggestion(city, policy, register):
    policy(on=True, threshold=0.9)
    order = register(community="DC0201", category="CG01")  # the list alone: 85%
    assert order.state == "registered" and order.lead_unit is None
    assert [e[0] for e in timeline(order)] == ["register"]
    rec = TriageRecord.objects.get(order=order)
    assert not rec.auto_dispatched and rec.lead_unit.code == "DC02"
    assert 0 < rec.route_confidence < 0.9


def test_the_threshold_is_the_administrators_to_set(city, policy, register):
    policy(on=True, threshold=0.8)
    order = register(community="DC0201", category="CG01")
    assert order.state == "dispatched"


def test_with_the_policy_off_nothing_is_dispatched_but_the_suggestion_is_kept(
        city, register):
    history("DC0201", "CG01", "DC02", 50)
    order = register(community="DC0201", category="CG01")
    assert not TriagePolicy.current().auto_dispatch  # off by default
    assert order.state == "registered"
    assert TriageRecord.objects.get(order=order).route_confidence >= 0.9


def test_an_unclassified_order_gets_the_classified_category(city, policy, register,
                                                            monkeypatch):
    policy(on=True)
    history("DC0201", "SZ01", "WATER", 20)
    monkeypatch.setattr(suggest_module, "_classify", lambda order: Classification(
        categories=[Guess("SZ01", 0.99)], first_levels=[Guess("SZ", 0.99)]))
    order = register(community="DC0201", category=None, content="家里停水两天了")
    assert order.state == "dispatched" and order.lead_unit.code == "WATER"
    assert order.category.code == "SZ01"
    dispatch = order.events.get(action="dispatch")
    assert dispatch.data["category"] == [None, "SZ01"]
    assert dispatch.note.startswith("智能分拨自动派单：推测分类“供水” 99%; 权责清单: 供水→")


def test_qr_orders_are_left_to_their_own_routing(city, policy, register):
    policy(on=True, threshold=0.5)
    order = register(community="DC0201", category="CG01", channel="qr")
    assert order.state == "registered"
    assert TriageRecord.objects.filter(order=order).exists()


def test_an_order_forwarded_to_a_sub_centre_is_not_taken_from_it(city, policy, new_order):
    policy(on=True, threshold=0.5)
    order = new_order(community="DC0201", category="CG01")
    order = a.do_forward(order, city.dispatcher, city.unit("DC-FZX").pk)
    assert autodispatch.triage_order(order.pk).auto_dispatched is False
    order.refresh_from_db()
    assert order.state == "registered"


def test_a_dispatcher_who_was_faster_wins(city, policy, new_order):
    policy(on=True, threshold=0.5)
    order = new_order(community="DC0201", category="CG01")
    suggestion = suggest_module.suggest(order)
    a.do_dispatch(order, city.dispatcher, city.unit("DC02").pk)
    # The job still holds the order as it was at registration.
    assert autodispatch.auto_dispatch(order, suggestion) is None
    order.refresh_from_db()
    assert order.events.filter(action="dispatch").count() == 1


def test_a_likely_duplicate_is_left_for_a_person(city, policy, new_order, monkeypatch):
    policy(on=True, threshold=0.5)
    earlier = new_order(community="DC0201", category="CG01")
    monkeypatch.setattr(suggest_module, "_duplicates", lambda order: [
        DuplicateHint(order_id=earlier.pk, kind="incident", score=0.93, reason="文本相似 0.93")])
    order = new_order(community="DC0201", category="CG01")
    assert autodispatch.triage_order(order.pk).auto_dispatched is False


def test_replayed_history_is_not_triaged(city, policy, register):
    policy(on=True, threshold=0.5)
    with clock.pinned(datetime(2025, 6, 1, 9, tzinfo=ZoneInfo("Asia/Shanghai"))):
        order = register(community="DC0201", category="CG01")
    assert order.state == "registered"
    assert not TriageRecord.objects.filter(order=order).exists()


def test_the_note_says_why_and_how_sure():
    assert autodispatch.note_for("权责清单: 供水→云州水务集团 牵头", 0.934) == (
        "智能分拨自动派单：权责清单: 供水→云州水务集团 牵头（置信度 93%）")
