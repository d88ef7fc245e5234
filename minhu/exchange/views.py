"""The exchange page for dispatchers and supervisors: province orders with both
deadlines, how far each one's updates got up to the province, and the exchange's health.
It only reads; resending dead updates happens on the outbox page."""

from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy

from minhu.accounts.roles import Role
from minhu.intake.access import INSPECTOR_ROLES
from minhu.orders.access import is_centre
from minhu.orders.models import WorkOrder
from minhu.outbox.models import DeliveryStatus
from minhu.web.desks.dispatch import desk_for

from .health import exchange_health, province_deliveries
from .models import ProvinceOrder

PAGE_SIZE = 40
FILTERS = {"all": gettext_lazy("全部"), "open": gettext_lazy("在办"),
           "review": gettext_lazy("编码待核对"), "unsynced": gettext_lazy("未同步完")}

exchange_desk = desk_for(Role.DISPATCHER, Role.SUPERVISOR, desk=gettext_lazy("省级平台交换"))


def _count(status: str):
    rows = (province_deliveries().filter(order=OuterRef("order_id"), status=status)
            .order_by().values("order").annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def sync_annotated(qs):
    last = (province_deliveries().filter(order=OuterRef("order_id"),
                                         status=DeliveryStatus.DELIVERED)
            .order_by("-seq").values("seq")[:1])
    return qs.annotate(last_seq=Subquery(last), pending=_count(DeliveryStatus.PENDING),
                       dead=_count(DeliveryStatus.DEAD))


@exchange_desk
def index(request):
    user = request.user
    show = request.GET.get("show", "all")
    if show not in FILTERS:
        show = "all"
    visible = WorkOrder.objects.visible_to(user)
    qs = ProvinceOrder.objects.select_related("order", "order__lead_unit", "order__urgency")
    # Pushes that never became an order are the centre's to look into.
    qs = qs.filter(Q(order__in=visible) | Q(order__isnull=True)) if is_centre(user) \
        else qs.filter(order__in=visible)
    qs = sync_annotated(qs)
    if show == "open":
        qs = qs.filter(order__closed_at__isnull=True)
    elif show == "review":
        qs = qs.filter(needs_review=True)
    elif show == "unsynced":
        qs = qs.filter(Q(pending__gt=0) | Q(dead__gt=0))
    page = Paginator(qs.order_by("-received_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "exchange/index.html", {
        "health": exchange_health(), "page": page, "show": show, "filters": FILTERS,
        # The outbox's dead-letter view (supervisors resend from there).
        "outbox_url": reverse("outbox:dead-letters") + "?endpoint=province",
        "can_resend": user.has_role(*INSPECTOR_ROLES),
        "review_count": ProvinceOrder.objects.filter(needs_review=True,
                                                     order__in=visible).count(),
    })
