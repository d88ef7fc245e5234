"""The partners page: who is connected, how much each sent today, what was refused and
why, and whether its webhook keeps up. Supervisors and administrators (as raw intake)."""

from datetime import timedelta

from django.db.models import Count, Q
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy

from minhu.accounts.models import ApiToken
from minhu.core import clock
from minhu.intake.access import INSPECTOR_ROLES
from minhu.intake.models import RawIntake, RawStatus
from minhu.outbox.models import DeliveryStatus
from minhu.web.desks.dispatch import desk_for

from .models import Partner

RECENT_REJECTED = 50
partners_desk = desk_for(*INSPECTOR_ROLES, desk=gettext_lazy("合作方接入"))


def _today_start():
    local = timezone.localtime(clock.now())
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def partner_rows(since) -> list[dict]:
    partners = Partner.objects.select_related("endpoint").annotate(
        created_today=Count("requests", filter=Q(requests__created_at__gte=since)),
        total=Count("requests"),
    ).order_by("code")
    raw_counts = {}
    for row in (RawIntake.objects.filter(source__in=[p.code for p in partners],
                                         received_at__gte=since)
                .values("channel", "source", "status").annotate(n=Count("id"))):
        raw_counts[(row["channel"], row["source"], row["status"])] = row["n"]
    keys = dict(ApiToken.objects.filter(user__partner__isnull=False, revoked_at__isnull=True)
                .values_list("user__partner__code").annotate(n=Count("id")))
    rows = []
    for p in partners:
        hook = None
        if p.endpoint_id:
            states = p.endpoint.deliveries.values("status").annotate(n=Count("id"))
            counts = {s["status"]: s["n"] for s in states}
            hook = {"url": p.endpoint.url, "active": p.endpoint.is_active,
                    "pending": counts.get(DeliveryStatus.PENDING, 0),
                    "dead": counts.get(DeliveryStatus.DEAD, 0)}
        rows.append({
            "partner": p, "created_today": p.created_today, "total": p.total,
            "rejected_today": raw_counts.get((p.channel, p.code, RawStatus.REJECTED), 0),
            "replayed_today": raw_counts.get((p.channel, p.code, RawStatus.DUPLICATE), 0),
            "failed_today": raw_counts.get((p.channel, p.code, RawStatus.FAILED), 0),
            "keys": keys.get(p.code, 0), "hook": hook,
        })
    return rows


@partners_desk
def partner_list(request):
    today = _today_start()
    code = request.GET.get("partner", "")[:30]
    partners = list(Partner.objects.values_list("channel", "code"))
    rejected = RawIntake.objects.filter(status=RawStatus.REJECTED,
                                        received_at__gte=today - timedelta(days=7))
    wanted = [(ch, c) for ch, c in partners if not code or c == code]
    match = Q(pk__in=[])
    for channel, source in wanted:
        match |= Q(channel=channel, source=source)
    rejected = rejected.filter(match).defer("body").order_by("-received_at")[:RECENT_REJECTED]
    return render(request, "partners/list.html", {
        "rows": partner_rows(today), "rejected": rejected, "code": code,
    })
