"""The demo city's channels: set up once (idempotently), and a short history that gives
every channel's page its data, each channel's own records matching its orders."""

import io
import random
from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from minhu.accounts.models import User
from minhu.demo.channels import (
    PARTNERS,
    PROVINCE_URL,
    build_channels,
    configure_province,
    showcase_places,
)
from minhu.demo.geography import Geography
from minhu.demo.history import build_history
from minhu.demo.management.commands.demo import Command as DemoCommand
from minhu.exchange.models import CodeMapping, ProvinceOrder
from minhu.intake.models import RawIntake, RawStatus
from minhu.notices.models import OutgoingMessage
from minhu.orders.models import ExternalRef, WorkOrder
from minhu.outbox.models import Delivery, Endpoint
from minhu.partners.models import Partner, PartnerRequest
from minhu.patrol.models import PatrolReport
from minhu.qrcodes.models import QrCode
from minhu.telephony.models import AgentExtension, CallRecord, Outcome
from minhu.telephony.rates import daily_rates

CITY_TZ = ZoneInfo("Asia/Shanghai")
# A Thursday afternoon: every channel has been busy for a few days.
END = datetime(2025, 11, 20, 16, 30, tzinfo=CITY_TZ)


def _counts():
    return (Partner.objects.count(), User.objects.count(), QrCode.objects.count(),
            CodeMapping.objects.count(), AgentExtension.objects.count())


def test_building_the_channels_twice_creates_no_duplicates(db):
    geo = Geography.from_db()
    first = build_channels(geo)
    after_first = _counts()
    second = build_channels(geo)
    assert _counts() == after_first
    assert {p.code for p in Partner.objects.all()} >= {s.code for s in PARTNERS}
    assert first.qr_codes == second.qr_codes
    # Every building and compound of the named communities has its (one) active code.
    places = showcase_places(geo)
    assert len(places) > 20
    assert QrCode.objects.filter(place__in=places, is_active=True).count() == len(places)
    # The partners' service accounts cannot sign in; no key was issued for them.
    wechat = Partner.objects.get(code="yz-wxapp")
    assert wechat.channel == "wechat" and not wechat.account.has_usable_password()
    assert not wechat.account.api_tokens.exists()


def test_the_province_endpoint_is_paused_unless_the_demo_is_told_where_it_is(db, monkeypatch):
    monkeypatch.delenv("MINHU_DEMO_PROVINCE_URL", raising=False)
    paused = configure_province()
    assert paused.url == PROVINCE_URL and not paused.is_active
    monkeypatch.setenv("MINHU_DEMO_PROVINCE_URL", "http://127.0.0.1:9911/updates")
    active = configure_province()
    assert active.pk == paused.pk and active.is_active
    assert Endpoint.objects.filter(code="province").count() == 1


@pytest.fixture
def history(db):
    geo = Geography.from_db()
    people = {u.username: u for u in User.objects.select_related("unit")}
    before = set(WorkOrder.objects.values_list("pk", flat=True))
    messages = OutgoingMessage.objects.count()
    result = build_history(geo, people, months=0.1, per_day=120, rng=random.Random(11),
                           end=END)
    top = WorkOrder.objects.filter(parent__isnull=True).exclude(pk__in=before)
    return result, top, messages


def test_a_short_history_brings_orders_on_every_channel_in_realistic_shares(history):
    result, top, _ = history
    assert not result.refused, result.refusal_samples
    channels = Counter(top.values_list("channel", flat=True))
    total = sum(channels.values())
    for channel in ("phone", "wechat", "web", "grid", "qr", "province", "partner", "hotline",
                    "open311"):
        assert channels[channel] > 0, (channel, channels)
    assert 0.62 < channels["phone"] / total < 0.80, channels
    assert 0.10 < (channels["wechat"] + channels["web"]) / total < 0.22, channels
    assert 0.02 < channels["grid"] / total < 0.09, channels


def test_every_channel_order_keeps_its_own_records(history):
    _, top, messages = history
    # Grid orders: a patrol report by a worker of that very grid; some solved on the spot.
    grid = top.filter(channel="grid")
    reports = PatrolReport.objects.filter(order__in=grid).select_related("worker", "order")
    assert reports.count() == grid.count()
    for report in reports:
        assert report.worker.unit_id == report.order.grid_id == report.grid_id
    assert reports.filter(solved_on_spot=True).exists()
    assert reports.filter(solved_on_spot=False).exists()
    assert grid.filter(events__action="close_on_spot").exists()

    # Province orders: the province's number and deadline, a shorter internal one.
    for order in top.filter(channel="province"):
        po = ProvinceOrder.objects.get(order=order)
        assert ExternalRef.objects.filter(order=order, channel="province",
                                          external_id=po.province_no).exists()
        assert po.internal_due_at < po.province_due_at
        assert order.external_due_at == po.internal_due_at

    # Partner orders: "<partner code>:<their id>" and the partner's request row.
    for order in top.filter(channel__in=["wechat", "partner", "hotline"]):
        request = PartnerRequest.objects.select_related("partner").get(order=order)
        assert request.partner.channel == order.channel
        assert request.partner.account_id == order.registered_by_id
        assert ExternalRef.objects.filter(
            order=order, external_id=f"{request.partner.code}:{request.their_id}").exists()

    # QR orders: the building's active code, and the community handles it first.
    for order in top.filter(channel="qr"):
        raw = RawIntake.objects.get(order=order)
        code = raw.source.removeprefix("qr:")
        assert QrCode.objects.filter(code=code, place_id=order.place_id, is_active=True).exists()
        assert order.children.filter(lead_unit_id=order.community_id).exists()

    # Every order that came in online was stored raw first and marked registered.
    online = top.exclude(channel="phone")
    registered = RawIntake.objects.filter(order__in=online, status=RawStatus.REGISTERED)
    assert registered.values("order").distinct().count() == online.count()

    # Replayed history tells no citizen anything and queues no status pushes.
    assert OutgoingMessage.objects.count() == messages
    assert not Delivery.objects.exists()


def test_refused_payloads_and_call_records_fill_the_inspection_list_and_the_answer_rate(
        history):
    result, top, _ = history
    refused = set(RawIntake.objects.filter(status=RawStatus.REJECTED)
                  .values_list("error_code", flat=True))
    assert {"bad_json", "bad_encoding", "empty_body"} <= refused
    assert result.refused_payloads >= 5

    # One answered call per phone order, plus the calls nobody answered.
    answered = CallRecord.objects.filter(outcome=Outcome.ANSWERED)
    assert answered.count() == top.filter(channel="phone").count()
    assert CallRecord.objects.filter(outcome=Outcome.ABANDONED).exists()
    assert CallRecord.objects.filter(outcome=Outcome.MISSED).exists()
    days = [r for _d, r in daily_rates(result.start, END.date()) if r.offered]
    assert len(days) >= 3
    for rate in days:
        assert 80 <= rate.percent <= 98, rate


def test_each_channel_page_shows_the_history(history, client):
    _, top, _ = history
    client.force_login(User.objects.get(username="supervisor1"))
    province_no = ProvinceOrder.objects.filter(order__in=top).first().province_no
    pages = {
        "/intake/": "bad_json",
        "/exchange/": province_no,
        "/partners/": "云州12345微信小程序",
        "/cti/": "接通率",
    }
    for url, expected in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert expected in response.content.decode(), url

    # The community's staff see their buildings' codes.
    client.force_login(User.objects.get(username="dc0101_handler"))
    code = QrCode.objects.filter(place__community__code="DC0101", is_active=True).first()
    assert code.code in client.get("/qr/manage/?q=" + code.place.name).content.decode()
    assert client.get(f"/qr/{code.code}/").status_code == 302

    # A grid worker follows what they reported on patrol.
    report = PatrolReport.objects.filter(order__in=top).select_related("worker", "order").first()
    client.force_login(report.worker)
    assert report.order.number in client.get("/patrol/mine/").content.decode()


def test_the_demo_command_prints_how_to_try_each_channel_without_any_key(db):
    out = io.StringIO()
    geo = Geography.from_db()
    DemoCommand(stdout=out)._print_channels(geo, build_channels(geo))
    text = out.getvalue()
    for code in ("yz-wxapp", "zjw-system", "/qr/manage/", "/patrol/", "/cti/", "/intake/",
                 "minhu open311-key", "minhu partner issue-key"):
        assert code in text
    assert "mh_" not in text  # keys are issued on request, never printed here
    listing = io.StringIO()
    call_command("partner", "list", stdout=listing)
    assert "yz-wxapp" in listing.getvalue() and "zjw-system" in listing.getvalue()
