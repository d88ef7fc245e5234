"""一网归集 overview: every channel's volume, and the payloads that did not become orders.

Supervisors and administrators see what arrived refused or failed, read the raw payload
(audited) and retry a failed one; nothing here changes an order except through
``retry_failed`` → ``do_register``.
"""

import json

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_POST

from minhu.audit.actions import record as audit
from minhu.core.errors import MinhuError
from minhu.orders.states import Channel
from minhu.qrcodes import scope as qr_scope
from minhu.web.desks.dispatch import desk_for

from .access import INSPECTOR_ROLES, raw_intakes_visible_to
from .actions import retry_failed
from .models import UNREGISTERED, RawIntake, RawStatus
from .stats import channel_table, daily_series

PAGE_SIZE = 30
inspector_desk = desk_for(*INSPECTOR_ROLES, desk=gettext_lazy("渠道接入"))


@inspector_desk
def overview(request):
    status = request.GET.get("status", "")
    channel = request.GET.get("channel", "")
    raws = raw_intakes_visible_to(request.user).select_related("order")
    raws = raws.filter(status=status) if status in RawStatus.values else \
        raws.filter(status__in=UNREGISTERED)
    if channel in Channel.values:
        raws = raws.filter(channel=channel)
    page = Paginator(raws.defer("body"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "intake/overview.html", {
        "rows": channel_table(), "page": page, "status": status, "channel": channel,
        "statuses": RawStatus.choices, "channels": [c for c in Channel.choices
                                                    if c[0] != Channel.SUB_DISPATCH],
        "chart": daily_series(),
        "can_manage_qr": qr_scope.may_manage(request.user),
    })


def _raw_or_404(request, pk: int) -> RawIntake | None:
    return raw_intakes_visible_to(request.user).select_related("order").filter(pk=pk).first()


@inspector_desk
def detail(request, pk: int):
    raw = _raw_or_404(request, pk)
    if raw is None:
        return render(request, "intake/missing.html", status=404)
    audit(request.user, "view_raw_intake", raw, fields="body", via="web",
          ip=request.META.get("REMOTE_ADDR"))
    return render(request, "intake/detail.html", {
        "raw": raw, "body": _pretty(raw), "retryable": raw.status in (RawStatus.FAILED,
                                                                     RawStatus.RECEIVED),
    })


@require_POST
@inspector_desk
def retry(request, pk: int):
    raw = _raw_or_404(request, pk)
    if raw is None:
        return render(request, "intake/missing.html", status=404)
    try:
        order, created = retry_failed(raw)
    except MinhuError as exc:
        messages.error(request, exc.message)
    except Exception:  # noqa: BLE001 - the failure is already written on the row
        messages.error(request, gettext("重试仍然失败，错误已记录在该条记录上"))
    else:
        audit(request.user, "retry_raw_intake", raw, via="web",
              ip=request.META.get("REMOTE_ADDR"))
        messages.success(request, gettext("已生成工单 %(number)s") % {"number": order.number}
                         if created else gettext("已有对应工单 %(number)s")
                         % {"number": order.number})
    return redirect("intake:detail", pk=pk)


@inspector_desk
def raw_file(request, pk: int, file_pk: int):
    """A file kept with a payload (the thumbnails on the detail page), for inspectors only."""
    raw = _raw_or_404(request, pk)
    kept = raw.files.filter(pk=file_pk).first() if raw is not None else None
    if kept is None:
        return render(request, "intake/missing.html", status=404)
    try:
        stored = kept.file.open("rb")
    except OSError:
        return render(request, "intake/missing.html", status=404)
    # Only images re-encoded at the edge are shown in the page; anything else downloads.
    response = FileResponse(stored, as_attachment=not kept.is_image, filename=kept.name,
                            content_type=kept.content_type if kept.is_image
                            else "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _pretty(raw: RawIntake) -> str:
    """JSON bodies indented for reading; anything else exactly as stored."""
    if "json" in raw.content_type and not raw.body_escaped:
        try:
            return json.dumps(json.loads(raw.body), ensure_ascii=False, indent=2)
        except ValueError:
            pass
    return raw.body
