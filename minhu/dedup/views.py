"""The duplicates panel of one order (an htmx fragment for the dispatcher desk) and the
incidents page. Both only read and then call the order actions (``do_merge`` /
``do_unmerge``); every order is read through ``visible_to`` / ``access_order``."""

import json
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from minhu.accounts.roles import Role
from minhu.core.errors import MinhuError
from minhu.orders.access import access_order
from minhu.orders.actions import do_merge, do_unmerge
from minhu.orders.models import WorkOrder
from minhu.orders.states import State

from .detect import find_duplicates
from .models import Incident, IncidentMember, OrderSignature

MERGEABLE = (State.REGISTERED, State.DISPATCHED, State.HANDLING)
PAGE_SIZE = 20


def staff_only(*roles):
    """Only people holding one of ``roles``; others get a plain Chinese refusal (403)."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not (request.user.is_superuser or request.user.has_role(*roles)):
                return render(request, "dedup/denied.html", status=403)
            return view(request, *args, **kwargs)

        return login_required(wrapper)

    return decorate


dispatchers = staff_only(Role.DISPATCHER)
dispatchers_and_supervisors = staff_only(Role.DISPATCHER, Role.SUPERVISOR)


# --- One order's panel ---------------------------------------------------------------


def _panel_context(user, order, *, error: str = "", done: str = "") -> dict:
    hints = find_duplicates(order) if order.state != State.MERGED else []
    visible = {o.pk: o for o in WorkOrder.objects.visible_to(user)
               .filter(pk__in=[h.order_id for h in hints])
               .select_related("category")}
    rows = [(h, visible[h.order_id]) for h in hints if h.order_id in visible]
    member = (IncidentMember.objects.select_related("incident", "incident__master")
              .filter(order=order).first())
    repeat_count = (OrderSignature.objects.filter(order=order)
                    .values_list("repeat_count", flat=True).first() or 0)
    merged = list(WorkOrder.objects.visible_to(user).filter(master=order, state=State.MERGED)
                  .order_by("pk")[:50])
    master = (WorkOrder.objects.visible_to(user).filter(pk=order.master_id).first()
              if order.master_id else None)
    return {
        "order": order, "number": order.number, "rows": rows,
        "incident": member.incident if member else None,
        "repeat_count": repeat_count, "merged": merged, "master": master,
        "can_merge": order.state in MERGEABLE and not merged, "error": error, "done": done,
    }


@require_GET
@dispatchers
def panel(request, number):
    try:
        order = access_order(request.user, number)
    except MinhuError as error:
        return render(request, "dedup/_order_panel.html",
                      {"missing": True, "number": number, "error": error.message}, status=404)
    return render(request, "dedup/_order_panel.html", _panel_context(request.user, order))


CHANGED_EVENT = "minhu:order-changed"


def _after(request, order_number, error="", done=""):
    order = access_order(request.user, order_number)
    response = render(request, "dedup/_order_panel.html",
                      _panel_context(request.user, order, error=error, done=done))
    if done:
        # The page around the fragment (the dispatcher desk) may reload the order on this.
        response["HX-Trigger"] = json.dumps({CHANGED_EVENT: {"number": order.number}})
    return response


@require_POST
@dispatchers
def merge(request, number):
    """Merge this order into the master named in the form (a suggested duplicate)."""
    try:
        order = access_order(request.user, number)
        master = str(request.POST.get("master", ""))[:40]
        if not WorkOrder.objects.visible_to(request.user).filter(number=master).exists():
            raise MinhuError("主单不存在或您无权查看", code="bad_master")
        note = str(request.POST.get("note", ""))[:200]
        do_merge(order, request.user, master,
                 note=f"查重建议并单：{note}" if note else "查重建议并单")
    except MinhuError as error:
        return _error(request, number, error)
    return _after(request, number, done=_("已并入 %(master)s") % {"master": master})


@require_POST
@dispatchers
def unmerge(request, number):
    """Take a merged order (this one, or one merged into this one) out again."""
    target = str(request.POST.get("order", "") or number)[:40]
    try:
        order = access_order(request.user, target)
        do_unmerge(order, request.user, request.POST.get("reason", ""))
    except MinhuError as error:
        return _error(request, number, error)
    return _after(request, number, done=_("已取消并单：%(order)s") % {"order": target})


def _error(request, number, error: MinhuError):
    try:
        return _after(request, number, error=error.message)
    except MinhuError:
        return render(request, "dedup/_order_panel.html",
                      {"missing": True, "number": number, "error": error.message}, status=404)


# --- Incidents -------------------------------------------------------------------------


def _incident_rows(user, incidents) -> list[dict]:
    members = (IncidentMember.objects.filter(incident__in=incidents)
               .select_related("order").order_by("joined_at"))
    visible = set(WorkOrder.objects.visible_to(user).filter(
        pk__in=[m.order_id for m in members]).values_list("pk", flat=True))
    by_incident: dict[int, list] = {}
    for m in members:
        if m.order_id in visible:
            by_incident.setdefault(m.incident_id, []).append(m)
    rows = []
    for incident in incidents:
        shown = by_incident.get(incident.pk, [])
        if not shown:
            continue
        master = _master_of(incident, [m.order for m in shown])
        waiting = [m for m in shown if master is not None and m.order_id != master.pk
                   and m.order.state in MERGEABLE and not m.order.master_id]
        rows.append({"incident": incident, "members": shown, "master": master,
                     "waiting": len(waiting)})
    return rows


def _master_of(incident: Incident, orders: list[WorkOrder]) -> WorkOrder | None:
    """The suggested master if it can still take others in, else the earliest that can."""
    usable = [o for o in orders if o.master_id is None
              and o.state not in (State.WITHDRAWN, State.MERGED)]
    for o in usable:
        if o.pk == incident.master_id:
            return o
    return usable[0] if usable else None


@require_GET
@dispatchers_and_supervisors
def incidents(request):
    qs = (Incident.objects.filter(is_open=True).select_related("community", "category",
                                                              "place", "master")
          .order_by("-last_seen_at"))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "dedup/incidents.html", {
        "page": page, "rows": _incident_rows(request.user, list(page.object_list)),
        "may_merge": request.user.is_superuser or request.user.has_role(Role.DISPATCHER),
    })


@require_POST
@dispatchers
def merge_all(request, pk):
    """Merge every waiting member into the incident's master, all or nothing."""
    incident = get_object_or_404(Incident, pk=pk)
    rows = _incident_rows(request.user, [incident])
    if not rows or rows[0]["master"] is None:
        return _incidents_with(request, error=_("该事件没有可作为主单的工单"))
    row = rows[0]
    master = row["master"]
    merged = 0
    try:
        with transaction.atomic():
            for m in row["members"]:
                order = m.order
                if order.pk == master.pk or order.master_id or order.state not in MERGEABLE:
                    continue
                do_merge(order, request.user, master.number,
                         note=f"一事多诉一键并单（事件 {incident.pk}）：{m.reason}"[:400])
                merged += 1
    except MinhuError as error:
        return _incidents_with(request, error=error.message)
    return _incidents_with(request, done=_("已将 %(n)s 件并入主单 %(master)s") % {
        "n": merged, "master": master.number})


def _incidents_with(request, *, error: str = "", done: str = ""):
    qs = (Incident.objects.filter(is_open=True).select_related("community", "category",
                                                              "place", "master")
          .order_by("-last_seen_at"))
    page = Paginator(qs, PAGE_SIZE).get_page(1)
    return render(request, "dedup/incidents.html", {
        "page": page, "rows": _incident_rows(request.user, list(page.object_list)),
        "may_merge": True, "error": error, "done": done,
    })
