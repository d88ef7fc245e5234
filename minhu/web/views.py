"""Pages shared by every role: home, the order page, and the one endpoint through which
every form on every desk performs an operation (the same operations as the API)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minhu.audit.actions import record
from minhu.catalog.models import CallbackDimension
from minhu.core.errors import MinhuError
from minhu.orders.access import access_order, citizen_view
from minhu.orders.models import WorkOrder
from minhu.orders.operations import OPERATIONS
from minhu.orders.states import OPEN_STATES, UNIT_STATES, State
from minhu.org.kinds import UnitKind
from minhu.org.models import Unit

from .forms import form_to_schema
from .roles import desks_for
from .templatetags.minhu_web import span_text


def client_ip(request):
    return request.META.get("REMOTE_ADDR") or None


@login_required
def home(request):
    """What needs me now: one card per desk I work at, red and yellow first."""
    user = request.user
    visible = WorkOrder.objects.visible_to(user)
    counts = visible.filter(state__in=OPEN_STATES).aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=Q(is_overdue=True, state__in=UNIT_STATES)),
        yellow=Count("pk", filter=Q(is_yellow=True, is_overdue=False, state__in=UNIT_STATES)),
        to_dispatch=Count("pk", filter=Q(state=State.REGISTERED)),
        returns=Count("pk", filter=Q(state=State.RETURN_REVIEW)),
        to_callback=Count("pk", filter=Q(state=State.REPLIED)),
        dissatisfied=Count("pk", filter=Q(state=State.DISSATISFIED_REVIEW)),
    )
    urgent = (visible.filter(state__in=UNIT_STATES).filter(Q(is_overdue=True) | Q(is_yellow=True))
              .select_related("lead_unit", "urgency").order_by("due_at")[:12])
    return render(request, "web/home.html", {
        "counts": counts, "urgent": urgent, "desks": desks_for(user),
    })


@login_required
def order_page(request, number):
    user = request.user
    try:
        order = access_order(user, number)
    except MinhuError:
        return render(request, "web/not_found.html", status=404)
    reveal = request.GET.get("reveal") == "1"
    try:
        citizen = citizen_view(user, order, reveal=reveal, via="web", ip=client_ip(request))
    except MinhuError as exc:
        messages.error(request, exc.message)
        citizen = citizen_view(user, order)
    events = list(order.events.select_related("actor", "actor_unit", "target_unit")
                  .order_by("seq"))
    previous = None
    for e in events:
        e.gap = span_text(e.at - previous.at) if previous and e.at > previous.at else ""
        previous = e
    return render(request, "web/order.html", {
        "order": order, "citizen": citizen, "events": events,
        "assignments": order.assignments.select_related("unit").order_by("pk"),
        "attachments": order.attachments.order_by("pk"),
        "children": order.children.order_by("pk"),
        "merged": order.merged_orders.order_by("pk"),
        "dimensions": CallbackDimension.objects.filter(is_active=True),
        "operations": _operations_for(user, order),
        "unit_choices": Unit.objects.filter(is_active=True).exclude(
            kind__in=[UnitKind.GRID, UnitKind.CENTRE]).values_list("code", "name"),
    })


def _operations_for(user, order) -> list[str]:
    from minhu.orders.transitions import TRANSITIONS

    names = {"answer": "answer_directly", "reopen": "citizen_reopen"}
    allowed = []
    for name in OPERATIONS:
        rule = TRANSITIONS.get(names.get(name, name.replace("-", "_")))
        if rule and order.state in rule.sources and user.has_role(*rule.roles):
            allowed.append(name)
    return allowed


@login_required
@require_POST
def act(request, number, operation):
    """Run one operation from a form. With htmx, errors come back as a message in place and
    success refreshes the page (or goes where ``next`` says); without htmx, a redirect."""
    op = OPERATIONS.get(operation)
    target = request.POST.get("next") or reverse("web:order", args=[number])
    if not target.startswith("/"):
        target = reverse("web:order", args=[number])
    try:
        if op is None:
            raise MinhuError(_("未知的操作"), code="unknown_operation")
        order = access_order(request.user, number)
        result = op.run(order, request.user, form_to_schema(op.schema, request.POST))
    except MinhuError as exc:
        if request.headers.get("HX-Request"):
            response = render(request, "web/partials/flash.html",
                              {"level": "error", "text": exc.message})
            response["HX-Retarget"] = "#flash"
            response["HX-Reswap"] = "innerHTML"
            return response
        messages.error(request, exc.message)
        return redirect(target)
    done = _("%(operation)s成功：%(number)s") % {"operation": _(op.summary),
                                                 "number": result.number}
    if operation == "callback" and result.state == State.REPLIED:
        done = _("已记录未接通：%(number)s，已安排稍后重拨") % {"number": result.number}
    messages.success(request, done)
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return redirect(target)


@login_required
def notices(request):
    from minhu.notices.models import Notice

    user = request.user
    qs = Notice.objects.filter(Q(unit_id=user.unit_id) | Q(user=user)).select_related("order")
    items = list(qs.order_by("-created_at")[:100])
    if request.method == "POST":
        from minhu.core import clock

        qs.filter(read_at__isnull=True).update(read_at=clock.now())
        return redirect("web:notices")
    return render(request, "web/notices.html", {"items": items})


def record_view(user, order, what: str, request) -> None:
    record(user, what, order, via="web", ip=client_ip(request))


@login_required
def places_near(request):
    """Places around a point, for the order page's small map (names and coordinates only)."""
    from django.http import JsonResponse

    from minhu.org.models import Place

    try:
        lat, lng = float(request.GET["lat"]), float(request.GET["lng"])
    except (KeyError, ValueError):
        return JsonResponse({"places": []})
    d = 0.02
    rows = (Place.objects.filter(lat__range=(lat - d, lat + d), lng__range=(lng - d, lng + d),
                                 parent__isnull=True)
            .values("name", "lat", "lng")[:300])
    return JsonResponse({"places": list(rows)})
