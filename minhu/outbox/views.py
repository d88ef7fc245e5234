"""The dead-letter view: what could not be delivered, why, and a button to send it again.

Supervisors and administrators only (the same people who inspect raw intake): payloads
carry order numbers and replies. Requeueing goes through ``actions.requeue`` (audited).
"""

import json

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_POST

from minhu.core import clock
from minhu.core.errors import MinhuError
from minhu.intake.access import INSPECTOR_ROLES
from minhu.web.desks.dispatch import desk_for

from .actions import requeue, requeue_dead
from .health import endpoint_health, troubled
from .models import Delivery, Endpoint

PAGE_SIZE = 50
outbox_desk = desk_for(*INSPECTOR_ROLES, desk=gettext_lazy("状态推送"))


def _preview(payload) -> str:
    text = json.dumps(payload, ensure_ascii=False, indent=1, default=str)
    return text if len(text) <= 600 else text[:600] + "…"


@outbox_desk
def dead_letters(request):
    code = request.GET.get("endpoint", "")
    # NUL in the parameter would make PostgreSQL fail the query (500): no such endpoint.
    known = code and "\x00" not in code
    endpoint = Endpoint.objects.filter(code=code[:60]).first() if known else None
    page = Paginator(troubled(endpoint), PAGE_SIZE).get_page(request.GET.get("page"))
    for d in page.object_list:
        d.preview = _preview(d.payload)
    return render(request, "outbox/dead_letters.html", {
        "health": endpoint_health(), "page": page, "endpoint": endpoint, "now": clock.now(),
    })


@require_POST
@outbox_desk
def requeue_one(request, pk: int):
    delivery = Delivery.objects.select_related("endpoint", "order").filter(pk=pk).first()
    error = ""
    if delivery is None:
        error = gettext("推送记录不存在")
    else:
        try:
            delivery = requeue(delivery, request.user)
        except MinhuError as exc:
            error = exc.message
    if request.headers.get("HX-Request") and delivery is not None:
        delivery.refresh_from_db()
        delivery.preview = _preview(delivery.payload)
        return render(request, "outbox/_row.html", {"d": delivery, "error": error})
    if error:
        messages.error(request, error)
    else:
        messages.success(request, gettext("已重新排队，稍后发送"))
    return redirect("outbox:dead-letters")


@require_POST
@outbox_desk
def requeue_endpoint(request, code: str):
    endpoint = Endpoint.objects.filter(code=code[:60]).first()
    if endpoint is None:
        messages.error(request, gettext("推送端点不存在"))
    else:
        count = requeue_dead(endpoint, request.user)
        messages.success(request, gettext("已将 %(n)s 条推送重新排队") % {"n": count})
    return redirect("outbox:dead-letters")
