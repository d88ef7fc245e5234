"""The agent console's call pop, and the 接通率 page for supervisors and analysts.

Why polling and not server-sent events: the platform runs under a WSGI server with a fixed
pool of threads (waitress). An SSE stream holds one thread per open console for a whole
shift, so 60 agents would exhaust the pool and block every other page. A poll every few
seconds is one indexed query and usually an empty 204 answer (nothing changed), and works
through any proxy. The few seconds of delay are shorter than the ringing itself.
"""

from functools import wraps

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from minhu.accounts.roles import Role
from minhu.orders.access import mask_phone
from minhu.web.desks.agent import caller_context
from minhu.web.desks.dispatch import desk_for
from minhu.web.periods import day_bounds, report_period

from .events import current_call
from .models import CallRecord
from .rates import answer_rate, daily_rates, per_agent, short_abandon_seconds

DISMISSED = "cti_dismissed"
MAX_DISMISSED = 50
MAX_PERIOD_DAYS = 92
RATE_ROLES = (Role.SUPERVISOR, Role.ANALYST, Role.ADMIN)
rate_desk = desk_for(*RATE_ROLES, desk=gettext_lazy("话务接通率"))


def polled_by_agents(view):
    """For requests the console's poll makes in the background: a plain status, never a
    login page or a refusal page (htmx would draw it inside the panel). An expired session
    gets 401, which htmx leaves unswapped until the agent logs in again."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return HttpResponse(status=401)
        if not user.has_role(Role.AGENT):
            return HttpResponse(status=403)
        return view(request, *args, **kwargs)

    return wrapped


@polled_by_agents
@require_GET
def pop(request):
    """The panel for the call ringing at this agent; 204 when nothing changed."""
    call = current_call(request.user, dismissed=request.session.get(DISMISSED, []))
    key = call.key if call else ""
    if request.GET.get("shown", "") == key:
        return HttpResponse(status=204)
    if call is None:
        return HttpResponse("")  # the call went away: empty the panel
    context = {"call": call, **caller_context(request.user, call.caller)}
    return render(request, "web/agent/_call_pop.html", context)


@polled_by_agents
@require_POST
def dismiss(request):
    call_id = request.POST.get("call_id", "")[:64]
    dismissed = [c for c in request.session.get(DISMISSED, []) if c != call_id]
    request.session[DISMISSED] = ([call_id] + dismissed)[:MAX_DISMISSED]
    return HttpResponse("")


@rate_desk
@require_GET
def rates_page(request):
    first, last, problem = report_period(request.GET, default_days=14,
                                         max_days=MAX_PERIOD_DAYS)
    start, end = day_bounds(first, last)
    days = daily_rates(first, last)
    chart = {
        "days": [d.strftime("%m-%d") for d, _r in days],
        "offered": [r.offered for _d, r in days],
        "answered": [r.answered for _d, r in days],
        "rate": [r.percent for _d, r in days],
        "names": {"offered": _("呼入量（计入）"), "answered": _("接通量"),
                  "rate": _("接通率（%）")},
    }
    recent = list(CallRecord.objects.filter(entered_at__gte=start, entered_at__lt=end)
                  .select_related("agent").order_by("-entered_at")[:30])
    for r in recent:
        r.masked_caller = mask_phone(r.caller) if r.caller else _("号码隐藏")
    return render(request, "telephony/rates.html", {
        "first": first, "last": last, "problem": problem, "total": answer_rate(start, end),
        "agents": per_agent(start, end), "chart": chart, "recent": recent,
        "short": short_abandon_seconds(), "days": days,
        "pop_minutes": getattr(settings, "MINHU_CTI_POP_MINUTES", 30),
    })
