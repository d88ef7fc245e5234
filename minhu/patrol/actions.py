"""A grid worker reports what they found on patrol: stored raw, registered, dispatched.

    report = do_patrol_report(worker, PatrolInput(...), photos)

1. The edge checks the worker (grid or community staff only), the place (one of their
   grid's places, or their current position), the category and the photos (re-encoded).
2. The payload is stored raw with its re-encoded photos and committed
   (``intake.receive``), so a failure later on never loses the report; the
   ``PatrolReport`` row keeps who reported it.
3. ``intake.register_raw`` registers the order from the raw row (``parse_raw``) as the
   patrol service account ``svc-patrol`` with channel GRID (that is what marks it a
   proactive discovery in the statistics) and the worker's jurisdiction, and attaches the
   kept photos.
4. ``follow_up`` links the report to the order. Then either
   * the worker solved it on the spot: ``do_close_on_spot`` closes it at once with their
     note (still counted as a proactive discovery and as solved), or
   * the responsibility list 权责清单 names a lead inside the worker's own street (a
     territorial matter: the street leads, the community assists): it is dispatched
     there straight away, as the centre's dispatcher would; or
   * anything else (a department's functional matter, no category, no rule) stays in the
     centre's dispatch pool with the suggestion, for a dispatcher to confirm.

A report whose registration failed is retried from its raw row (``intake.retry_failed``)
through the same parser and follow-up: it gets its photos, its report link and its
routing (or on-the-spot closing) exactly as a first-time report.
"""

import json
import logging
import uuid
from dataclasses import dataclass

from django.db import transaction

from minhu.accounts.models import User
from minhu.accounts.roles import Role
from minhu.catalog.models import Category
from minhu.catalog.routing import route_order
from minhu.core import clock
from minhu.core.errors import MinhuError, ValidationFailed
from minhu.intake.actions import receive, register_raw, service_account
from minhu.orders.actions import Intake, do_dispatch
from minhu.orders.actions._base import begin, record, require_text, save
from minhu.orders.models import ExternalRef, WorkOrder
from minhu.orders.states import Channel, CloseReason, State
from minhu.org.jurisdiction import chain_of
from minhu.org.kinds import UnitKind
from minhu.org.models import Unit

from .access import places_for, require_reporter
from .models import PatrolReport

log = logging.getLogger(__name__)

SERVICE_USERNAME = "svc-patrol"
SERVICE_NAME = "网格巡查上报"
MAX_CONTENT = 2000
MAX_NOTE = 1000
REQUEST_TYPE = "help"  # 求助: a problem someone must fix; there is no citizen to complain


def patrol_account():
    """The account patrol reports are registered (and, for territorial matters,
    dispatched) as. Dispatching is the one thing it does beyond an agent's intake."""
    return service_account(SERVICE_USERNAME, SERVICE_NAME, roles=(Role.AGENT, Role.DISPATCHER))


@dataclass
class PatrolInput:
    content: str
    category: str = ""
    place_id: int | None = None
    lat: float | None = None
    lng: float | None = None
    address: str = ""
    solved_on_spot: bool = False
    note: str = ""  # what the worker did, when solved on the spot
    key: str = ""  # the form's one-time key: a double submit gives the same order


def _clean(data: PatrolInput, unit) -> dict:
    content = (data.content or "").strip()
    if not content:
        raise ValidationFailed("请描述发现的问题", code="missing_text", field="content")
    if len(content) > MAX_CONTENT:
        raise ValidationFailed(f"问题描述过长（最多 {MAX_CONTENT} 字）", code="too_long",
                               field="content")
    category = None
    if data.category:
        category = Category.objects.filter(code=str(data.category)[:20], is_active=True,
                                           parent__isnull=False).first()
        if category is None:
            raise ValidationFailed("请从列表中选择问题分类", code="unknown_category",
                                   field="category")
    else:
        raise ValidationFailed("请选择问题分类", code="missing_category", field="category")
    place = None
    if data.place_id is not None:
        place = places_for(unit).filter(pk=data.place_id).first()
        if place is None:
            raise ValidationFailed("所选地点不在您的网格内，请重新选择", code="unknown_place",
                                   field="place")
    located = data.lat is not None and data.lng is not None
    if located and not (-90 <= data.lat <= 90 and -180 <= data.lng <= 180):
        raise ValidationFailed("定位坐标超出范围", code="bad_coordinates", field="place")
    if place is None and not located:
        raise ValidationFailed("请选择地点，或使用当前位置", code="missing_place", field="place")
    address = (data.address or "").strip()[:200]
    note = (data.note or "").strip()
    if data.solved_on_spot and not note:
        raise ValidationFailed("已现场处置的，请填写处置情况", code="missing_note", field="note")
    if len(note) > MAX_NOTE:
        raise ValidationFailed(f"处置情况过长（最多 {MAX_NOTE} 字）", code="too_long",
                               field="note")
    key = (data.key or "").strip()
    if not key or len(key) > 64 or not key.replace("-", "").isalnum():
        key = uuid.uuid4().hex
    return dict(content=content, category=category.code, place_id=place.pk if place else None,
                lat=data.lat if located else None, lng=data.lng if located else None,
                address=address, solved_on_spot=bool(data.solved_on_spot), note=note, key=key)


def _intake(body: dict) -> Intake:
    """The order a stored patrol payload registers (also used to retry a failed one)."""
    return Intake(
        content=body["content"], request_type=REQUEST_TYPE, channel=Channel.GRID,
        category=body["category"], title="网格员巡查发现",
        citizen_name=f"{body['worker_name']}（网格员）"[:64],
        citizen_phone=body.get("worker_phone", ""),
        place_id=body["place_id"],
        community=None if body["place_id"] else body["unit"],
        lat=body["lat"], lng=body["lng"],
        address=body["address"] or ("" if body["place_id"] else "网格员现场定位"),
        external_id=f"patrol-{body['key']}",
    )


def parse_raw(raw):
    """The order a stored patrol payload registers: the first attempt and every retry."""
    body = json.loads(raw.body)
    return patrol_account(), _intake(body), {}


def do_patrol_report(worker, data: PatrolInput, photos=(), *, remote_addr=None) -> PatrolReport:
    """Store, register and route one patrol report; returns the worker's report row.
    ``photos`` are already cleaned (``photos.clean_photos``)."""
    unit = require_reporter(worker)
    fields = _clean(data, unit)
    known = ExternalRef.objects.filter(channel=Channel.GRID,
                                       external_id=f"patrol-{fields['key']}").first()
    if known is not None:
        existing = PatrolReport.objects.filter(order_id=known.order_id).first()
        if existing is not None:
            return existing
    photos = list(photos)
    body = {**fields, "worker": worker.username, "worker_name": str(worker),
            "worker_phone": _phone(worker.phone), "unit": unit.code, "photos": len(photos)}
    raw = receive(Channel.GRID, body=json.dumps(body, ensure_ascii=False), source=unit.code,
                  external_id=fields["key"], content_type="application/json",
                  meta={"worker": worker.username, "photos": len(photos)},
                  remote_addr=remote_addr, files=photos)
    grid = unit if unit.kind == UnitKind.GRID else None
    report = PatrolReport.objects.create(
        worker=worker, unit=unit, grid=grid, raw=raw, solved_on_spot=fields["solved_on_spot"],
        photo_count=len(photos), created_at=raw.received_at)
    order, created = register_raw(raw)
    if not created:  # the same form sent twice at once: one order, one report
        first = PatrolReport.objects.filter(order=order).exclude(pk=report.pk).first()
        if first is not None:
            report.delete()
            return first
        _link(report, order)
    report.refresh_from_db()
    return report


def follow_up(raw, order, svc) -> None:
    """A patrol payload became a new order: link the worker's report, then close it on the
    spot or route it. Runs for the first attempt and for a retry alike."""
    body = json.loads(raw.body)
    report = _report_for(raw, body)
    if report is not None:
        _link(report, order)
    if body.get("solved_on_spot"):
        worker = report.worker if report is not None else None
        try:
            if worker is None:
                raise ValidationFailed("找不到上报的网格员", code="unknown_worker")
            do_close_on_spot(order, svc, worker=worker, note=body.get("note", ""))
            return
        except MinhuError as exc:
            # E.g. the worker moved on before a retry: the pool decides, nothing is lost.
            note = f"现场处置办结未成功（{exc.message}），已进入派单池，由派单员派单"
    else:
        unit = report.unit if report is not None else \
            Unit.objects.filter(code=body.get("unit", "")).first()
        try:
            note = route_patrol_order(order, svc, unit) if unit is not None else \
                "找不到上报单位，已进入 12345 中心派单池，由派单员派单"
        except MinhuError as exc:  # e.g. the listed unit was deactivated: the pool decides
            note = f"自动派单未成功（{exc.message}），已进入派单池，由派单员派单"
    if report is not None:
        PatrolReport.objects.filter(pk=report.pk).update(dispatch_note=note[:300])


def _report_for(raw, body: dict) -> PatrolReport | None:
    """The worker's report row of this payload; made now when the first attempt died
    between storing the payload and writing the row."""
    report = PatrolReport.objects.filter(raw=raw).select_related("worker", "unit").first()
    if report is not None:
        return report
    worker = User.objects.filter(username=body.get("worker", "")).first()
    unit = Unit.objects.filter(code=body.get("unit", "")).first()
    if worker is None or unit is None:
        log.warning("patrol raw intake %s: reporter %r or unit %r is gone", raw.pk,
                    body.get("worker"), body.get("unit"))
        return None
    return PatrolReport.objects.create(
        worker=worker, unit=unit, grid=unit if unit.kind == UnitKind.GRID else None, raw=raw,
        solved_on_spot=bool(body.get("solved_on_spot")), photo_count=raw.files.count(),
        created_at=raw.received_at)


def _link(report: PatrolReport, order: WorkOrder) -> None:
    report.order = order
    if report.grid_id is None and order.grid_id:
        report.grid_id = order.grid_id
    PatrolReport.objects.filter(pk=report.pk).update(order=order, grid_id=report.grid_id)


def _phone(phone: str) -> str:
    phone = (phone or "").strip()
    return phone if phone and len(phone) <= 20 and phone.replace("-", "").isdigit() else ""


def route_patrol_order(order: WorkOrder, svc, unit) -> str:
    """Dispatch a territorial matter to the worker's own street (per the responsibility
    list); leave the rest in the centre's pool. Returns what happened, in Chinese."""
    route = route_order(WorkOrder.objects.select_related(
        "category", "district", "street", "community", "grid").get(pk=order.pk))
    street = chain_of(unit)["street"]
    if route is None:
        return "权责清单无对应条目，已进入 12345 中心派单池，由派单员派单"
    if not (route.lead.is_territorial and street is not None and route.lead.is_within(street)):
        return f"{route.reason}；非本街道属地事项，已进入派单池，由派单员确认后派单"
    note = f"网格员主动发现，{route.reason}，自动派单"
    do_dispatch(order, svc, route.lead.pk, [u.pk for u in route.co], note=note)
    return f"已按权责清单派至{route.lead.name}" + (
        f"（协办 {'、'.join(u.name for u in route.co)}）" if route.co else "")


@transaction.atomic
def do_close_on_spot(order: WorkOrder, actor, *, worker, note: str) -> WorkOrder:
    """Registered and closed in one step: the worker solved it while on patrol. The
    order keeps channel GRID, so it still counts as a proactive discovery (and as solved);
    the worker and their unit are named as the handler, their note as the reply."""
    order = begin(order, "close_on_spot", actor)
    if order.channel != Channel.GRID:
        raise ValidationFailed("只有网格员巡查上报的工单可以现场处置办结", code="not_patrol")
    unit = require_reporter(worker)
    text = require_text(note, "处置情况")
    now = clock.now()
    order.reply_text, order.reply_solved = text, True
    order.reply_handler = str(worker)[:64]
    order.reply_handler_phone = (worker.phone or "")[:32]
    order.reply_unit = unit
    order.replied_at = order.closed_at = now
    order.close_reason = CloseReason.DIRECT
    order.state = State.CLOSED
    # The event is the acting account's (as every event is); the note names the worker.
    record(order, "close_on_spot", actor, note=f"{worker}（{unit.name}）现场处置：{text}",
           target_unit=unit, data={"worker": worker.username, "unit": unit.code})
    save(order)
    return order
