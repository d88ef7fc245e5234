"""The demo history: a week of hotline work on the session city (minhu/conftest.py), made
through the actions, checked for the shapes the demo must show."""

import io
import random
import re
from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Min

from minhu.accounts.models import User
from minhu.catalog.taxonomy import TAXONOMY
from minhu.demo import texts
from minhu.demo.geography import Geography
from minhu.demo.history import build_history
from minhu.demo.management.commands.demo import ProgressBar, table
from minhu.orders.models import Callback, ExternalRef, ReturnRequest, TimelineEvent, WorkOrder

CITY_TZ = ZoneInfo("Asia/Shanghai")
# A Wednesday, 08:10: the night shift left the ordinary calls to the morning shift, and
# the offices open at 8:30.
END = datetime(2025, 11, 19, 8, 10, tzinfo=CITY_TZ)


# --- texts -----------------------------------------------------------------------------


def _slots(seed=1):
    place = texts.Place("东城区", "文昌街道", "翠苑社区", "锦绣家园", "3号楼", "人民路", "解放路",
                        "文昌公园")
    return texts.Slots(random.Random(seed), place)


def test_every_template_fills_and_every_category_is_in_the_taxonomy():
    second_level = {child.code for top in TAXONOMY for child in top.children}
    codes = [c.code for c in texts.CATEGORIES]
    assert len(codes) == len(set(codes))
    assert set(codes) <= second_level
    # Praise (QT05) and suggestions (QT06) come from their own lists.
    assert second_level - set(codes) <= {"QT05", "QT06"}
    for cat in texts.CATEGORIES:
        assert cat.where in ("", "building", "compound", "road", "landmark"), cat.code
        assert cat.issues or cat.issue == 0, cat.code
        assert cat.questions or cat.consult == 0, cat.code
        for template in (*cat.issues, *cat.urgent, *cat.replies,
                         *(q for pair in cat.questions for q in pair)):
            filled = texts.fill(template, _slots())
            assert "{" not in filled and filled.strip(), (cat.code, template)
    for _code, _where, template in texts.SUGGESTIONS:
        texts.fill(template, _slots())
    for template in texts.PRAISE:
        texts.fill(template, _slots())
    for template in (*texts.RETURN_REASONS, *texts.RETURN_APPROVED, *texts.REPORT_UP_REASONS):
        assert "{" not in template.format(right="市城市管理局")


def test_slots_stay_the_same_within_one_request_and_phones_look_real():
    slots = _slots()
    assert texts.fill("{shop}{shop}", slots) == slots["shop"] * 2
    rng = random.Random(3)
    for _ in range(50):
        phone = texts.citizen_phone(rng)
        assert len(phone) == 11 and phone[:2] in ("13", "15", "18")
        assert 2 <= len(texts.citizen_name(rng)) <= 4


# --- the history -----------------------------------------------------------------------


def test_a_week_of_history_goes_through_the_actions_and_shows_the_whole_loop(db):
    geo = Geography.from_db()
    people = {u.username: u for u in User.objects.select_related("unit")}
    before = set(WorkOrder.objects.values_list("pk", flat=True))
    seen = []
    result = build_history(geo, people, months=0.25, per_day=45, rng=random.Random(7),
                           end=END, progress=lambda *a: seen.append(a))

    # The generator only asks for what the platform allows.
    assert not result.refused, result.refusal_samples
    assert seen[-1][:2] == (result.days, result.days) and result.days == 9
    orders = WorkOrder.objects.exclude(pk__in=before)
    top = orders.filter(parent__isnull=True)
    assert top.count() == result.registered > 250

    # Every order's timeline starts with its registration (a sub-order: its creation),
    # and every event lies inside the simulated period.
    firsts = dict(TimelineEvent.objects.filter(order__in=orders, seq=1)
                  .values_list("order_id", "action"))
    assert len(firsts) == orders.count()
    for order in orders.only("pk", "parent_id"):
        assert firsts[order.pk] == ("sub_created" if order.parent_id else "register")
    span = TimelineEvent.objects.filter(order__in=orders)
    start = datetime.combine(result.start, datetime.min.time(), tzinfo=CITY_TZ)
    assert span.aggregate(m=Min("at"))["m"] >= start
    assert not span.filter(at__gt=END).exists()
    for order in top.filter(state="closed")[:40]:
        moments = list(order.events.order_by("seq").values_list("at", flat=True))
        assert moments == sorted(moments), order.number

    states = Counter(top.values_list("state", flat=True))
    for state in ("registered", "dispatched", "handling", "replied", "closed", "merged"):
        assert states[state] > 0, (state, states)

    # Consultations are mostly answered on the spot, and that closes them.
    direct = top.filter(close_reason="direct")
    assert direct.filter(request_type__code="consult").count() > 0.35 * top.count()
    for order in direct[:30]:
        # Grid workers close what they solved on patrol the same way (close_on_spot).
        second = "close_on_spot" if order.channel == "grid" else "answer_directly"
        assert list(order.events.values_list("action", flat=True)) == ["register", second]
        assert order.state == "closed" and order.reply_text

    # Every closed top-level order has a reply and either a callback or a direct answer.
    reached = set(Callback.objects.filter(reached=True).values_list("order_id", flat=True))
    for order in top.filter(state="closed"):
        assert order.reply_text, order.number
        assert order.close_reason == "direct" or order.pk in reached, order.number

    # The rest of the loop shows up too.
    assert ReturnRequest.objects.filter(order__in=top, kind="return").exists()
    assert top.filter(reopen_count__gt=0).exists()
    assert top.filter(is_overdue=True).exists()
    assert top.filter(is_yellow=True).exists()
    assert orders.filter(parent__isnull=False).exists()  # sub-orders to communities
    merged = top.filter(state="merged")
    for order in merged:
        assert order.master_id and order.master.place_id
        master = order.master
        assert master.category_id == order.category_id
        # The same words about the same place (another flat, perhaps).
        assert re.sub(r"\d", "", order.content) == re.sub(r"\d", "", master.content)
        assert order.events.filter(action="merge").exists()
        if order.place_id is None:  # a partner or the province: coordinates, no place id
            assert order.lat is not None and order.address
            continue
        assert order.place_id == master.place_id or \
            order.place.parent_id == master.place.parent_id
    assert Callback.objects.filter(order__in=top, reached=False).exists()
    actions = set(TimelineEvent.objects.filter(order__in=orders).values_list("action",
                                                                            flat=True))
    assert {"dispatch", "sign", "reply", "callback", "merge", "flag_overdue",
            "review_dissatisfaction", "review_return", "urge"} <= actions

    # Channels and jurisdiction.
    channels = Counter(top.values_list("channel", flat=True))
    assert channels["phone"] > top.count() / 2
    assert len(channels) >= 5, channels
    for order in top.filter(channel="province"):
        assert order.external_due_at is not None
        assert ExternalRef.objects.filter(order=order, channel="province").exists()
    located = top.filter(place__isnull=False)
    assert located.count() > 100
    assert not located.filter(street__isnull=True).exists()

    # Recent days are still open; old ones are mostly settled.
    old = top.filter(created_at__lt=END - timedelta(days=6))
    settled = old.filter(state__in=["closed", "merged", "withdrawn"]).count()
    assert settled > 0.75 * old.count()


def test_the_command_refuses_when_a_city_exists(db):
    with pytest.raises(CommandError, match="已经存在"):
        call_command("demo", stdout=io.StringIO(), stderr=io.StringIO())


def test_progress_bar_and_table_formatting():
    out = io.StringIO()
    bar = ProgressBar(out)
    for day in range(1, 93):
        bar(day, 92, day * 150)
    lines = out.getvalue().splitlines()
    assert lines[-1] == f"[{'#' * 30}] 92/92 天 13,800 件"
    assert len(lines) <= 11
    rendered = table([("账号", "角色"), ("agent1", "话务员")]).splitlines()
    assert rendered[0] == "账号    角色" and rendered[2] == "agent1  话务员"
