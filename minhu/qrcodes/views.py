"""The scan URL (public) and the staff pages for codes, sheets and batches."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from . import scope
from .batches import start_batch
from .models import BatchStatus, QrBatch, QrCode, code_for
from .sheets import single_sheet

MAX_QUERY = 40


@require_GET
def scan(request, code):
    """The URL inside every printed code: the portal's form, locked to the place."""
    qr = QrCode.objects.active(code)
    if qr is None:
        return render(request, "portal/qr_inactive.html", status=404)
    return redirect(reverse("portal:submit") + f"?qr={qr.code}")


def qr_staff(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not scope.may_manage(request.user):
            messages.info(request, "一码通管理供社区、街道、区县工作人员和系统管理员使用。")
            return redirect("web:home")
        return view(request, *args, **kwargs)

    return wrapped


@qr_staff
@require_GET
def manage(request):
    user = request.user
    q = request.GET.get("q", "").strip()[:MAX_QUERY]
    qs = scope.places_for(user).select_related("parent", "community__parent")
    if q and "\ufffd" not in q and "\x00" not in q:
        qs = qs.filter(Q(name__contains=q) | Q(address__contains=q) | Q(aliases__contains=q)
                       | Q(community__name__contains=q))
    page = Paginator(scope.in_print_order(qs), 50).get_page(
        request.GET.get("page"))
    codes = {c.place_id: c for c in QrCode.objects.filter(place__in=list(page.object_list),
                                                           is_active=True)}
    for p in page.object_list:
        p.qr = codes.get(p.pk)
    return render(request, "qrcodes/manage.html", {
        "page": page, "q": q, "units": scope.units_for(user)[:500],
        "batches": QrBatch.objects.filter(requested_by=user)[:10],
        "root": scope.root_unit(user),
    })


def _place_or_404(user, place_id):
    place = scope.places_for(user).select_related("parent", "community__parent").filter(
        pk=place_id).first()
    if place is None:
        raise Http404
    return place


@qr_staff
@require_GET
def sheet(request, place_id):
    place = _place_or_404(request.user, place_id)
    code = code_for(place)
    response = HttpResponse(single_sheet(place, code.code), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="qr-{code.code}.pdf"'
    return response


@qr_staff
@require_POST
def renew(request, place_id):
    """A sign was stolen or misused: retire its code and issue a new one."""
    place = _place_or_404(request.user, place_id)
    QrCode.objects.filter(place=place, is_active=True).update(is_active=False)
    code = code_for(place)
    messages.success(request, f"已为“{place}”生成新二维码 {code.code}，旧码已停用，"
                              "请重新打印张贴。")
    return redirect(reverse("qrcodes:manage") + f"?q={place.name}")


@qr_staff
@require_POST
def batch_create(request):
    picked = request.POST.get("unit", "")
    # A forged or garbled choice is no unit (not a ValueError from the id lookup).
    unit_id = int(picked) if picked.isdigit() and len(picked) < 12 else 0
    unit = scope.units_for(request.user).filter(pk=unit_id).first()
    if unit is None:
        messages.error(request, "请选择您管辖范围内的区县、街道或社区")
        return redirect("qrcodes:manage")
    batch = start_batch(unit, request.user)
    return redirect("qrcodes:batch", pk=batch.pk)


def _batch_or_404(user, pk) -> QrBatch:
    batch = QrBatch.objects.select_related("unit").filter(pk=pk).first()
    root = scope.root_unit(user)
    if batch is None or (root is not None and not batch.unit.is_within(root)):
        raise Http404
    return batch


@qr_staff
@require_GET
def batch(request, pk):
    b = _batch_or_404(request.user, pk)
    template = "qrcodes/_progress.html" if request.headers.get("HX-Request") else \
        "qrcodes/batch.html"
    return render(request, template, {"b": b, "running": b.status in (BatchStatus.PENDING,
                                                                     BatchStatus.RUNNING)})


@qr_staff
@require_GET
def batch_file(request, pk):
    b = _batch_or_404(request.user, pk)
    if b.status != BatchStatus.DONE or not b.file:
        raise Http404
    return FileResponse(b.file.open("rb"), as_attachment=True,
                        filename=f"一码通-{b.unit.name}.pdf", content_type="application/pdf")

