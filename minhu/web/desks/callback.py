"""Callback desk 回访台: call citizens back after the unit's reply.

The queue is the replied orders, oldest reply first; an order whose citizen did not
answer waits in "待重拨" until its retry time. The work panel shows the order's reply,
who handled it and how to reach them, a script to read, and the outcome form, which
posts to the shared ``act`` endpoint (the ``callback`` operation decides what happens:
closed, to dissatisfaction review, or another retry). After recording, the desk opens
the next order in the queue. The dissatisfied-review queue is shown for reference; the
review itself is done on the order page by dispatchers and supervisors.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Exists, IntegerField, Max, OuterRef, Subquery
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from minhu.accounts.roles import Role
from minhu.catalog.models import CallbackDimension, PlatformSettings
from minhu.core import clock
from minhu.core.errors import MinhuError
from minhu.orders.access import access_order, citizen_view
from minhu.orders.models import Callback, WorkOrder
from minhu.orders.states import ResolvedChoices, Satisfaction, State

from ..views import client_ip
from .agent import desk_required

callback_desk = desk_required(Role.CALLBACK_AGENT, label=gettext_lazy("回访台"))

PAGE_SIZE = 15
# What the queue and the work panel show. Fewer joins than ``access_order`` (PostgreSQL
# spends longer planning a 14-way join than running it).
WORK_RELATED = ("category", "request_type", "reply_unit", "lead_unit")


def _unreached(now):
    same_round = Callback.objects.filter(order=OuterRef("pk"), reached=False,
                                         round=OuterRef("reopen_count"))
    return same_round, Exists(same_round.filter(retry_at__gt=now))


def queues(user, now):
    """(due, retry): replied orders to call now, oldest reply first, and those whose
    citizen did not answer and whose retry time has not come yet, soonest first."""
    same_round, pending = _unreached(now)
    replied = (WorkOrder.objects.visible_to(user).filter(state=State.REPLIED)
               .select_related(*WORK_RELATED))
    due = replied.filter(~pending).order_by("replied_at", "pk")
    retry = (replied.filter(pending).annotate(
        attempts=Subquery(same_round.values("order").annotate(n=Count("pk")).values("n"),
                          output_field=IntegerField()),
        retry_at=Subquery(same_round.values("order").annotate(t=Max("retry_at")).values("t")),
    ).order_by("retry_at", "pk"))
    return due, retry


def count_attempts(orders) -> None:
    """``attempts``: unreached calls in each order's current round (one query)."""
    counts = {}
    rows = (Callback.objects.filter(order_id__in=[o.pk for o in orders], reached=False)
            .values("order_id", "round").annotate(n=Count("pk")))
    for row in rows:
        counts[(row["order_id"], row["round"])] = row["n"]
    for o in orders:
        o.attempts = counts.get((o.pk, o.reopen_count), 0)


def _script_topic(order: WorkOrder) -> str:
    if order.category_id:
        return f"“{order.category.name}”"
    text = " ".join(order.content.split())
    return f"“{text[:24]}{'…' if len(text) > 24 else ''}”"


def _day(dt) -> str:
    local = timezone.localtime(dt)
    return _("%(month)s月%(day)s日") % {"month": local.month, "day": local.day}


@callback_desk
@require_GET
def desk(request):
    user = request.user
    now = clock.now()
    due, retry = queues(user, now)
    page = Paginator(due, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    count_attempts(page.object_list)
    retry_rows = list(retry[:30])
    dissatisfied = (WorkOrder.objects.visible_to(user)
                    .filter(state=State.DISSATISFIED_REVIEW)
                    .select_related("category", "lead_unit").order_by("updated_at", "pk"))
    current = None
    number = request.GET.get("order", "")[:40]
    if number:
        current = (WorkOrder.objects.visible_to(user).select_related(*WORK_RELATED)
                   .filter(number=number.replace("\x00", "")).first())
        if current is None:
            messages.error(request, _("工单不存在或您无权查看"))
        else:
            if current.state != State.REPLIED:
                messages.info(request, _("工单 %(number)s 当前为“%(state)s”，不在回访队列中")
                              % {"number": current.number,
                                 "state": current.get_state_display()})
                current = None
    if current is None and page.object_list:
        current = page.object_list[0]
    context = {
        "page": page, "retry_rows": retry_rows, "retry_total": retry.count(),
        "dissatisfied": list(dissatisfied[:20]), "dissatisfied_total": dissatisfied.count(),
        "done_today": Callback.objects.filter(
            by=user, at__gte=timezone.localtime(now).replace(hour=0, minute=0, second=0,
                                                             microsecond=0)).count(),
        "current": current,
    }
    if current is not None:
        history = list(current.callbacks.select_related("by").order_by("at"))
        pending = next((c for c in reversed(history) if not c.reached and c.retry_at
                        and c.round == current.reopen_count and c.retry_at > now), None)
        next_url = reverse("web:callback")
        if page.number > 1:
            next_url += f"?page={page.number}"
        context.update({
            "citizen": citizen_view(user, current), "history": history, "pending": pending,
            "topic": _script_topic(current), "asked_on": _day(current.created_at),
            "dimensions": list(CallbackDimension.objects.filter(is_active=True)),
            "resolved_choices": ResolvedChoices.choices,
            "satisfaction_choices": Satisfaction.choices,
            "retry_hours": PlatformSettings.current().callback_retry_hours,
            "next_url": next_url, "scores": range(5, 0, -1),
        })
    return render(request, "web/callback/desk.html", context)


@callback_desk
@require_POST
def reveal(request, number):
    """The citizen's full number, to dial; every reveal is audited."""
    try:
        order = access_order(request.user, number)
        seen = citizen_view(request.user, order, reveal=True, via="web",
                            ip=client_ip(request))
    except MinhuError as exc:
        return HttpResponse(format_html('<span class="field-error">{}</span>', exc.message))
    phone = seen["phone"]
    if not phone:
        return HttpResponse(format_html('<span class="hint">{}</span>', _("未留联系电话")))
    return HttpResponse(format_html('<a class="dial" href="tel:{0}">{0}</a>', phone))
