"""Supervisor board 督办.

Overdue and soon-overdue (yellow) orders grouped by lead unit, a unit's list with urging,
listing for supervision (挂牌督办) and escalation (提级办理) per order, the urging history,
charts of overdue by unit and over the last two weeks, and the queue of unreasonable-
request flags to decide. Every change is an operation run through the shared ``act``
endpoint; this module only reads.
"""

from datetime import datetime, time, timedelta
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Count, Min, OuterRef, Q, Subquery
from django.db.models.functions import TruncDate
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy

from minhu.accounts.roles import Role
from minhu.core import clock
from minhu.core.errors import MinhuError
from minhu.orders.access import access_order, citizen_view, is_centre
from minhu.orders.models import TimelineEvent, Urging, WorkOrder
from minhu.orders.states import OPEN_STATES, UNIT_STATES, ReviewStatus, UrgeKind
from minhu.org.kinds import DISPATCH_KINDS, FUNCTIONAL_KINDS, UnitKind
from minhu.org.models import Unit

from ..templatetags.minhu_web import span_text
from .dispatch import desk_for

PAGE_SIZE = 40
UNIT_ROWS = 60  # units shown in the table (the worst first); the chart takes the top 15
CHART_UNITS = 15
TREND_DAYS = 14

TABS = [("units", gettext_lazy("超期/临期")), ("supervised", pgettext_lazy("badge", "挂牌督办")),
        ("unreasonable", gettext_lazy("不合理诉求审核"))]
TAB_KEYS = {key for key, _ in TABS}
FLAGS = {"warn": gettext_lazy("超期 + 临期"), "overdue": gettext_lazy("仅超期"),
         "yellow": gettext_lazy("仅临期"), "all": gettext_lazy("全部在办")}
URGE_KINDS = (UrgeKind.PHONE, UrgeKind.NOTICE, UrgeKind.INTERVIEW)

supervisor_desk = desk_for(Role.SUPERVISOR, desk=gettext_lazy("督办"))


def _flag_filter(flag: str) -> Q:
    if flag == "overdue":
        return Q(is_overdue=True)
    if flag == "yellow":
        return Q(is_yellow=True, is_overdue=False)
    if flag == "all":
        return Q()
    return Q(is_overdue=True) | Q(is_yellow=True)


@supervisor_desk
def board(request):
    user = request.user
    tab = request.GET.get("tab", "units")
    if tab not in TAB_KEYS:
        tab = "units"
    visible = WorkOrder.objects.visible_to(user)
    totals = visible.filter(state__in=OPEN_STATES).aggregate(
        overdue=Count("pk", filter=Q(is_overdue=True, state__in=UNIT_STATES)),
        yellow=Count("pk", filter=Q(is_yellow=True, is_overdue=False, state__in=UNIT_STATES)),
        supervised=Count("pk", filter=Q(is_supervised=True)),
        escalated=Count("pk", filter=Q(is_escalated=True)),
    )
    totals["unreasonable"] = visible.filter(unreasonable=ReviewStatus.PENDING).count()
    today = timezone.localtime(clock.now()).replace(hour=0, minute=0, second=0, microsecond=0)
    urged = Urging.objects.filter(at__gte=today).exclude(kind=UrgeKind.SYSTEM)
    if not is_centre(user):
        urged = urged.filter(order__in=visible)
    totals["urged_today"] = urged.count()
    context = {
        "tab": tab, "totals": totals,
        "tabs": [{"key": k, "label": label,
                  "count": {"units": totals["overdue"] + totals["yellow"],
                            "supervised": totals["supervised"],
                            "unreasonable": totals["unreasonable"]}[k]}
                 for k, label in TABS],
    }
    if tab == "units":
        context.update(_units_context(request, visible))
    elif tab == "supervised":
        qs = (visible.filter(is_supervised=True, state__in=OPEN_STATES)
              .select_related("lead_unit", "urgency").order_by("-is_overdue", "due_at", "pk"))
        context["page"] = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    else:
        marked = TimelineEvent.objects.filter(order=OuterRef("pk"), action="mark_unreasonable"
                                              ).order_by("-seq")
        qs = (visible.filter(unreasonable=ReviewStatus.PENDING)
              .select_related("lead_unit", "request_type")
              .annotate(marked_at=Subquery(marked.values("at")[:1]),
                        marked_by=Subquery(marked.values("actor__display_name")[:1]),
                        marked_unit=Subquery(marked.values("actor_unit__name")[:1]))
              .order_by("pk"))
        context["page"] = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        context["back"] = reverse("web:supervise") + "?tab=unreasonable"
    return render(request, "web/supervise/board.html", context)


def _units_context(request, visible) -> dict:
    district_code = request.GET.get("district", "")[:40]
    kind = request.GET.get("kind", "")[:20]
    base = visible.filter(state__in=UNIT_STATES, lead_unit__isnull=False)
    district = None
    if district_code:
        district = Unit.objects.filter(code=district_code, kind=UnitKind.DISTRICT).first()
        if district is not None:
            base = base.filter(lead_unit__path__startswith=district.path)
    if kind in UnitKind.values:
        base = base.filter(lead_unit__kind=kind)
    grouped = (base.values("lead_unit")
               .annotate(open=Count("pk"),
                         yellow=Count("pk", filter=Q(is_yellow=True, is_overdue=False)),
                         overdue=Count("pk", filter=Q(is_overdue=True)),
                         oldest=Min("due_at", filter=Q(is_overdue=True)))
               .filter(Q(yellow__gt=0) | Q(overdue__gt=0))
               .order_by("-overdue", "-yellow", "lead_unit"))
    rows = list(grouped[:UNIT_ROWS + 1])
    more = len(rows) > UNIT_ROWS
    rows = rows[:UNIT_ROWS]
    units = Unit.objects.in_bulk([r["lead_unit"] for r in rows])
    now = clock.now()
    for r in rows:
        r["unit"] = units[r["lead_unit"]]
        r["age"] = span_text(now - r["oldest"]) if r["oldest"] else ""
    top = [r for r in rows if r["overdue"]][:CHART_UNITS]
    charts = {
        "units": {"names": [r["unit"].short_name or r["unit"].name for r in top],
                  "full": [r["unit"].name for r in top],
                  "overdue": [r["overdue"] for r in top],
                  "yellow": [r["yellow"] for r in top]},
        "trend": _trend(request.user, visible),
        # The charts' words, in the page's language.
        "labels": {"overdue": gettext("超期"), "yellow": gettext("临期"),
                   "none": gettext("没有超期工单"), "new": gettext("新增超期"),
                   "count": gettext("%(n)s 件")},
    }
    return {
        "rows": rows, "more": more, "charts": charts,
        "districts": Unit.objects.filter(kind=UnitKind.DISTRICT, is_active=True).order_by("path"),
        "kinds": [(k, UnitKind.label_of(k)) for k in UnitKind.values
                  if k not in DISPATCH_KINDS],
        "district": district, "kind": kind,
    }


def _trend(user, visible) -> dict:
    """Orders that went overdue per day over the last two weeks (the sweep's flag)."""
    tz = timezone.get_current_timezone()
    today = timezone.localdate(clock.now())
    first = today - timedelta(days=TREND_DAYS - 1)
    start = datetime.combine(first, time.min, tzinfo=tz)
    events = TimelineEvent.objects.filter(action="flag_overdue", at__gte=start)
    if not is_centre(user):
        events = events.filter(order__in=visible)
    per_day = dict(events.annotate(day=TruncDate("at", tzinfo=tz)).values("day")
                   .annotate(n=Count("pk")).values_list("day", "n"))
    days = [first + timedelta(days=i) for i in range(TREND_DAYS)]
    return {"days": [f"{d:%m-%d}" for d in days], "counts": [per_day.get(d, 0) for d in days]}


@supervisor_desk
def unit_orders(request, code):
    """One unit's open orders, the late ones first, with the selected order's panel."""
    user = request.user
    unit = Unit.objects.filter(code=str(code)[:40]).first()
    if unit is None:
        return render(request, "web/supervise/unit.html", {"missing": code}, status=404)
    flag = request.GET.get("flag", "warn")
    if flag not in FLAGS:
        flag = "warn"
    qs = (WorkOrder.objects.visible_to(user)
          .filter(_flag_filter(flag), state__in=UNIT_STATES, lead_unit=unit)
          .select_related("urgency", "category", "request_type")
          .order_by("-is_overdue", "due_at", "pk"))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    base = reverse("web:supervise-unit", args=[unit.code])
    for row in rows:
        stay = base + "?" + urlencode({"flag": flag, "o": row.number})
        row.panel_url = reverse("web:supervise-panel", args=[row.number]) + "?" + urlencode(
            {"back": stay})
        row.push_url = stay
    chosen = request.GET.get("o", "")[:40] or (rows[0].number if rows else "")
    back = base + "?" + urlencode({"flag": flag, "o": chosen})
    return render(request, "web/supervise/unit.html", {
        "unit": unit, "rows": rows, "page": page, "flag": flag, "flags": FLAGS,
        "flag_label": FLAGS[flag],
        "chosen": chosen,
        "panel": _panel_context(request, chosen, back) if chosen else None,
        "counts": WorkOrder.objects.visible_to(user).filter(
            state__in=UNIT_STATES, lead_unit=unit).aggregate(
                open=Count("pk"), overdue=Count("pk", filter=Q(is_overdue=True)),
                yellow=Count("pk", filter=Q(is_yellow=True, is_overdue=False))),
    })


@supervisor_desk
def panel(request, number):
    back = request.GET.get("back", "")
    return render(request, "web/supervise/panel.html",
                  {"panel": _panel_context(request, number, back)})


def _panel_context(request, number, back: str) -> dict:
    user = request.user
    try:
        order = access_order(user, number)
    except MinhuError:
        return {"missing": True, "number": number}
    if not back.startswith(reverse("web:supervise")) or "//" in back:
        back = reverse("web:supervise")
    supervised_note = ""
    if order.is_supervised:
        supervised_note = (order.events.filter(action="supervise").order_by("-seq")
                           .values_list("note", flat=True).first() or "")
    return {
        "order": order, "back": back,
        "citizen": citizen_view(user, order),
        "urgings": list(Urging.objects.filter(order=order).select_related("by", "unit")
                        .order_by("-at", "-pk")[:30]),
        "urge_kinds": [(k, UrgeKind.label_of(k)) for k in URGE_KINDS],
        "higher": higher_units(order.lead_unit),
        "supervised_note": supervised_note,
        "can_escalate": order.state in UNIT_STATES,
        "is_open": order.state in OPEN_STATES,
    }


def higher_units(unit: Unit | None) -> list[Unit]:
    """Units above ``unit`` that could take the lead (nearest first): its handling
    ancestors and, for a district bureau, the city department it answers to (the one
    whose name, without the leading 市, ends the bureau's name: 东城区城市管理局 → 市城市管理局)."""
    if unit is None:
        return []
    out = [u for u in reversed(unit.ancestors())
           if u.kind not in DISPATCH_KINDS and u.is_active]
    if unit.kind in FUNCTIONAL_KINDS:
        for dept in Unit.objects.filter(kind=unit.kind, depth__lt=unit.depth, is_active=True
                                        ).order_by("depth", "path"):
            stem = dept.name.removeprefix("市")
            if len(stem) >= 3 and unit.name.endswith(stem) and dept not in out:
                out.append(dept)
    return out
