"""The learning loop records every time a person decides differently from triage:
category, type, urgency and lead unit at dispatch, reassignments, approved returns sent
elsewhere, merges and unmerges. Service accounts (channels, auto-dispatch) never count."""

from types import SimpleNamespace

import pytest

from minhu.accounts.roles import Role
from minhu.core import clock
from minhu.intake.actions import service_account
from minhu.orders.actions import (
    do_dispatch,
    do_merge,
    do_reassign,
    do_return,
    do_review_return,
    do_unmerge,
)
from minhu.triage import learning
from minhu.triage.models import Correction, TriageRecord


@pytest.fixture
def proposed(city):
    """Store what triage proposed for an order (as the suggestion job does)."""

    def make(order, *, category="CG01", lead="DC01", type_code="complaint", urgency="normal",
             detail=None, auto=False):
        rec, _ = TriageRecord.objects.update_or_create(order=order, defaults=dict(
            created_at=clock.now(), category_code=category, type_code=type_code,
            urgency_code=urgency, lead_unit=city.unit(lead) if lead else None,
            route_confidence=0.7, auto_dispatched=auto, detail=detail or {}))
        return rec

    return make


def _corrections(order):
    return sorted((c.kind, c.proposed, c.chosen) for c in Correction.objects.filter(order=order))


def test_dispatch_with_another_category_and_unit_is_recorded(city, new_order, proposed):
    order = new_order()
    proposed(order, category="CG04", lead="CGJ")
    do_dispatch(order, city.dispatcher, city.unit("DC01").pk, category="CG01")
    assert _corrections(order) == [("category", "CG04", "CG01"), ("unit", "CGJ", "DC01")]
    c = Correction.objects.filter(order=order).first()
    assert c.actor == city.dispatcher and c.used_in is None and c.created_at is not None


def test_dispatch_as_proposed_records_nothing(city, new_order, proposed):
    order = new_order()
    proposed(order)
    do_dispatch(order, city.dispatcher, city.unit("DC01").pk)
    assert _corrections(order) == []


def test_a_first_level_proposal_agrees_with_its_second_level_categories(city, new_order,
                                                                        proposed):
    order = new_order()
    proposed(order, category="CG")
    do_dispatch(order, city.dispatcher, city.unit("DC01").pk)
    assert _corrections(order) == []


def test_type_and_urgency_changes_are_recorded(city, new_order, proposed):
    order = new_order()
    proposed(order, type_code="consult", urgency="urgent")
    do_dispatch(order, city.dispatcher, city.unit("DC01").pk)
    assert _corrections(order) == [("type", "consult", "complaint"),
                                   ("urgency", "urgent", "normal")]


def test_reassign_to_another_unit_is_recorded(city, dispatched_order, proposed):
    order = dispatched_order(lead="DC01")
    proposed(order, lead="DC01")
    do_reassign(order, city.dispatcher, city.unit("CGJ").pk, reason="属于城管执法职责")
    assert _corrections(order) == [("unit", "DC01", "CGJ")]


def test_an_approved_return_sent_to_another_unit_is_recorded(city, dispatched_order,
                                                             proposed):
    order = dispatched_order(lead="DC01")
    proposed(order, lead="DC01")
    do_return(order, city.street_handler, "占道经营属于城管执法职责，不属于街道")
    do_review_return(order, city.dispatcher, approve=True, lead_unit=city.unit("CGJ").pk)
    assert _corrections(order) == [("unit", "DC01", "CGJ")]


def test_a_rejected_return_records_nothing(city, dispatched_order, proposed):
    order = dispatched_order(lead="DC01")
    proposed(order, lead="CGJ")
    before = _corrections(order)
    do_return(order, city.street_handler, "占道经营属于城管执法职责，不属于街道")
    do_review_return(order, city.dispatcher, approve=False, note="属地管理，请街道办理")
    assert _corrections(order) == before


def test_merge_and_unmerge_are_recorded(city, new_order, proposed):
    master = new_order()
    other = new_order(content="锦绣家园门口烧烤摊油烟大，晚上很吵")
    order = new_order()
    proposed(order, detail={"duplicates": [{"order_id": other.pk, "kind": "incident",
                                             "score": 0.7, "reason": ""}]})
    do_merge(order, city.dispatcher, master.number)
    assert _corrections(order) == [("merge", other.number, master.number)]
    do_unmerge(order, city.dispatcher, "不是同一件事，分开办理")
    assert ("unmerge", master.number, "") in _corrections(order)


def test_merging_into_the_suggested_master_records_the_agreement(city, new_order, proposed):
    master = new_order()
    order = new_order()
    proposed(order, detail={"duplicates": [{"order_id": master.pk}]})
    do_merge(order, city.dispatcher, master.number)
    assert _corrections(order) == [("merge", master.number, master.number)]


def test_service_accounts_are_ignored(city, new_order, proposed):
    bot = service_account("svc-test-dispatch", "测试分拨", roles=(Role.DISPATCHER,))
    order = new_order()
    proposed(order, category="CG04", lead="CGJ")
    do_dispatch(order, bot, city.unit("DC01").pk)
    assert _corrections(order) == []
    assert not learning.is_person(bot) and learning.is_person(city.dispatcher)


def test_orders_without_a_triage_record_are_skipped_after_one_query(
        city, new_order, django_assert_num_queries):
    order = new_order()
    event = SimpleNamespace(action="dispatch", data={}, actor=city.dispatcher,
                            at=clock.now())
    with django_assert_num_queries(1):
        learning.on_event_recorded(None, order=order, event=event)
    assert _corrections(order) == []


def test_unwatched_events_cost_no_query(city, new_order, django_assert_num_queries):
    order = new_order()
    event = SimpleNamespace(action="sign", data={}, actor=city.dispatcher, at=clock.now())
    with django_assert_num_queries(0):
        learning.on_event_recorded(None, order=order, event=event)



def test_a_failure_in_learning_never_blocks_the_dispatch(city, new_order, proposed,
                                                         monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("bug in learning")

    monkeypatch.setattr(learning, "_routing_corrections", broken)
    order = new_order()
    proposed(order, lead="CGJ")
    order = do_dispatch(order, city.dispatcher, city.unit("DC01").pk)
    assert order.state == "dispatched" and _corrections(order) == []
