"""An order as the public sees it through Open311: open/closed with a Chinese note on the
real state, the unit in charge, times in W3C format, and no personal data.

Which orders, and how much of each (docs/api-open311.md explains why):

* every top-level order is listed (sub-orders are internal splits of one request);
* the citizen's name, phone and e-mail never leave, on any order;
* confidential orders (举报 by default): description, address, coordinates and photo are
  withheld, the answer says so; only the district is named;
* orders that came in through another channel (a phone call, the portal …): the citizen
  did not publish them, so their description and exact place are withheld too, and the
  address is given down to the community only — unless the city opts in to publishing
  every description (``MINHU_OPEN311_PUBLISH_ALL_DESCRIPTIONS``);
* what is published is still scrubbed of phone numbers, ID numbers and e-mail addresses
  that citizens type into free text.
"""

import re

from django.conf import settings

from minhu.catalog.models import LimitUnit
from minhu.orders.states import OPEN_STATES, Channel, CloseReason, State
from minhu.org.kinds import UnitKind

from .formats import w3c
from .services import UNCLASSIFIED

WITHHELD_CONFIDENTIAL = "（保密诉求，内容不予公开）"
REDACTED = "［已隐去］"
MAX_REPLY_IN_NOTES = 300

_PERSONAL = re.compile(
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"              # e-mail
    r"|(?<!\d)\d{17}[\dXx](?!\d)"                 # resident ID number
    r"|(?<!\d)(?:\+?86[- ]?)?1[3-9]\d{9}(?!\d)"    # mobile phone
    r"|(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)"            # landline with area code
)

# The columns an answer reads, and its related rows by foreign key (loaded once per kind).
FIELDS = ("number", "state", "channel", "content", "reply_text", "is_confidential", "address",
          "lat", "lng", "place", "created_at", "updated_at", "closed_at", "due_at",
          "reopen_count", "is_overdue", "is_supervised", "is_escalated", "extension_status",
          "close_reason")
UNIT_FIELDS = ("lead_unit", "dispatch_unit", "reply_unit", "district", "street", "community")


def load(qs) -> list:
    """The orders of ``qs`` with their category, urgency, units and master attached.

    A long list shares a few dozen units, categories and tiers: fetching each once, instead
    of joining them into every row, keeps 1000 answers cheap to build."""
    from minhu.catalog.models import Category, UrgencyTier
    from minhu.org.models import Unit

    related = ("category", "urgency", "master", *UNIT_FIELDS)
    orders = list(qs.only(*FIELDS, *related))
    ids = {name: {getattr(o, name + "_id") for o in orders} - {None} for name in related}
    units = Unit.objects.only("name", "kind").in_bulk(set().union(
        *(ids[name] for name in UNIT_FIELDS)))
    lookups = {
        "category": Category.objects.select_related("parent").in_bulk(ids["category"]),
        "urgency": UrgencyTier.objects.in_bulk(ids["urgency"]),
        "master": qs.model.objects.only("number").in_bulk(ids["master"]),
        **{name: units for name in UNIT_FIELDS},
    }
    for order in orders:
        for name in related:
            setattr(order, name, lookups[name].get(getattr(order, name + "_id")))
    return orders


def scrub(text: str) -> str:
    return _PERSONAL.sub(REDACTED, text or "")


def status_of(order) -> str:
    return "open" if order.state in OPEN_STATES else "closed"


def publishes_content(order) -> bool:
    """May this order's description, exact place and photo be shown?"""
    if order.is_confidential:
        return False
    if getattr(settings, "MINHU_OPEN311_PUBLISH_ALL_DESCRIPTIONS", False):
        return True
    return order.channel == Channel.OPEN311


def unit_name(order, unit) -> str:
    """A territorial unit with its district in front (东城区东华街道), others as named."""
    if unit is None:
        return ""
    district = order.district
    if (unit.kind in (UnitKind.STREET, UnitKind.COMMUNITY, UnitKind.GRID) and district
            and not unit.name.startswith(district.name)):
        return district.name + unit.name
    return unit.name


def _flags(order) -> str:
    notes = []
    if order.reopen_count:
        notes.append(f"第 {order.reopen_count} 次重办")
    if order.is_overdue:
        notes.append("已超过办理期限，12345 中心正在督办")
    elif order.is_supervised:
        notes.append("已挂牌督办")
    if order.is_escalated:
        notes.append("已提级办理")
    if order.extension_status == "pending":
        notes.append("承办单位已申请延期，待审核")
    return "；".join(notes)


def _closed_note(order, public: bool) -> str:
    replier = unit_name(order, order.reply_unit) or unit_name(order, order.lead_unit)
    if order.close_reason == CloseReason.DIRECT:
        note = "已办结：12345 中心已当场答复"
    elif order.close_reason == CloseReason.CALLBACK:
        note = f"已办结：{replier or '承办单位'}已答复，经回访确认"
    elif order.close_reason == CloseReason.REVIEWED:
        note = "已办结：经 12345 中心审核后办结"
    elif order.master_id:
        note = f"已办结：并入的主工单 {order.master.number} 已办结"
    else:
        note = "已办结"
    if public and order.reply_text:
        reply = scrub(order.reply_text)
        if len(reply) > MAX_REPLY_IN_NOTES:
            reply = reply[:MAX_REPLY_IN_NOTES] + "……"
        note += f"。答复：{reply}"
    return note


def status_notes(order, public: bool = False) -> str:
    """What is really happening, in one Chinese sentence (or two)."""
    lead = unit_name(order, order.lead_unit) or "承办单位"
    state = order.state
    if state == State.REGISTERED:
        dispatcher = order.dispatch_unit
        if dispatcher is not None and dispatcher.kind == UnitKind.SUB_CENTRE:
            note = f"已受理，已转{dispatcher.name}派单"
        else:
            note = "已受理，12345 中心正在确定承办单位"
    elif state == State.DISPATCHED:
        note = f"已派至{lead}办理，待签收"
    elif state == State.HANDLING:
        note = f"{lead}已签收，正在办理"
    elif state == State.RETURN_REVIEW:
        note = f"{lead}申请退回或上报，12345 中心正在审核，将重新确定承办单位"
    elif state == State.REPLIED:
        replier = unit_name(order, order.reply_unit) or lead
        note = f"{replier}已答复，12345 中心将回访诉求人核实办理结果"
    elif state == State.DISSATISFIED_REVIEW:
        note = "诉求人对办理结果不满意，12345 中心正在审核是否重办"
    elif state == State.CLOSED:
        note = _closed_note(order, public)
    elif state == State.WITHDRAWN:
        note = "诉求人已撤回该诉求，工单已关闭"
    elif state == State.MERGED:
        master = order.master.number if order.master_id else "另一工单"
        note = f"与工单 {master} 反映同一问题，已并入该工单合并办理，进度请查询 {master}"
    else:  # a state added later: say at least what it is called
        note = State.source_label_of(state)
    flags = _flags(order) if state in OPEN_STATES else ""
    return f"{note}（{flags}）" if flags else note


def service_notice(order) -> str | None:
    tier = order.urgency
    if tier is None:
        return None
    unit = dict(LimitUnit.choices).get(tier.handle_unit, tier.handle_unit)
    return f"按“{tier.name}”诉求办理，办理时限 {tier.handle_limit} {unit}"


def _area(order, *, district_only: bool = False) -> str | None:
    units = [order.district] if district_only else [order.district, order.street,
                                                     order.community]
    names = []
    for unit in units:
        if unit is not None and not any(unit.name in n for n in names):
            names.append(unit.name)
    return "".join(names) or None


def public_request(order, media_url: str = "") -> dict:
    """One order in the spec's Request shape."""
    public = publishes_content(order)
    category = order.category
    if category is None:
        code, name = UNCLASSIFIED
    else:
        code, name = category.code, category.name
    if public:
        description = scrub(order.content)[:4000]
        address = order.address or _area(order)
    elif order.is_confidential:
        description = WITHHELD_CONFIDENTIAL
        address = _area(order, district_only=True)
    else:
        label = Channel.source_label_of(order.channel)
        description = f"（该诉求经“{label}”渠道受理，内容不通过 Open311 公开）"
        address = _area(order)
    closed = order.state not in OPEN_STATES
    updated = (order.closed_at or order.updated_at) if closed else order.updated_at
    agency = order.lead_unit or order.dispatch_unit
    return {
        "service_request_id": order.number,
        "status": status_of(order),
        "status_notes": status_notes(order, public),
        "service_name": name,
        "service_code": code,
        "description": description,
        "agency_responsible": unit_name(order, agency) or None,
        "service_notice": service_notice(order),
        "requested_datetime": w3c(order.created_at),
        "updated_datetime": w3c(updated),
        "expected_datetime": w3c(order.due_at),
        "address": address,
        "address_id": str(order.place_id) if public and order.place_id else None,
        "zipcode": None,
        "lat": order.lat if public else None,
        "long": order.lng if public else None,
        "media_url": (media_url or None) if public else None,
    }
