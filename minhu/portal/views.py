"""The citizen portal (no login): submit, track with a one-time code, rate, reopen.

Views stay thin: checks at the edge, then ``submit``, ``track`` and the ``do_*`` actions.
Every refusal is a Chinese message on the same page, with what was typed kept.
"""

import logging

from django.core import signing
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from minhu.core.errors import MinhuError
from minhu.notices.links import RATE_SALT
from minhu.orders.actions import do_citizen_rate, do_citizen_reopen
from minhu.orders.models import WorkOrder
from minhu.orders.states import ResolvedChoices, Satisfaction, State

from . import challenge, citizen, limits, photos, places, submit, track
from . import settings as portal_settings

log = logging.getLogger(__name__)
TEXT_FIELDS = ("content", "name", "phone", "address", "request_type", "lat", "lng",
               "place_id", "place_label")
TYPE_CHOICES = [("help", _("求助")), ("complaint", _("投诉")), ("report", _("举报")),
                ("suggestion", _("建议")), ("consult", _("咨询")), ("praise", _("表扬"))]
LIMITED = "操作过于频繁，请稍后再试"


def _qr_place(code: str):
    from minhu.qrcodes.models import QrCode

    qr = QrCode.objects.active(code)
    return (qr, qr.place) if qr else (None, None)


def _float(value: str, lo: float, hi: float) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if lo <= number <= hi else None


def _submit_page(request, values, *, errors=None, message="", qr=None, place=None,
                 status=200):
    return render(request, "portal/submit.html", {
        "values": values, "errors": errors or {}, "message": message,
        "token": challenge.new_token(), "honeypot": challenge.HONEYPOT,
        "types": TYPE_CHOICES, "qr": qr, "place": place,
        "max_photos": portal_settings.max_photos(),
        "photo_mb": portal_settings.photo_max_bytes() // 2**20,
        "max_content": submit.MAX_CONTENT,
    }, status=status)


@require_http_methods(["GET", "POST"])
def submit_view(request):
    source = request.POST if request.method == "POST" else request.GET
    qr, locked = _qr_place(source.get("qr", "")[:32]) if source.get("qr") else (None, None)
    if source.get("qr") and qr is None and request.method == "GET":
        return render(request, "portal/qr_inactive.html", status=404)
    if request.method == "GET":
        return _submit_page(request, {"request_type": "help"}, qr=qr, place=locked)

    values = {name: request.POST.get(name, "")[:5000] for name in TEXT_FIELDS}
    if request.POST.get("qr") and qr is None:
        # The code was retired while the form was open: keep what was typed, ask for a place.
        return _submit_page(request, values, message="此二维码已停用，请选择地点后重新提交",
                            errors={"place": "请搜索选择地点、在地图上标注位置，或填写详细地址"},
                            status=422)
    place = locked or places.by_id(values["place_id"])
    shown = locked or place

    def refuse(message="", errors=None, status=422):
        return _submit_page(request, values, errors=errors, message=message, qr=qr,
                            place=shown, status=status)

    try:
        nonce = challenge.check(request.POST.get("form_token", ""),
                                request.POST.get(challenge.HONEYPOT, ""))
    except MinhuError as exc:
        return refuse(exc.message, status=400)
    ip = limits.client_ip(request)
    phone = submit.normal_phone(values["phone"])
    errors = submit.clean(values, place)
    if errors:
        return refuse("请按提示修改后再提交", errors)
    if limits.exceeded("submit_ip", ip) or limits.exceeded("submit_phone", phone):
        return refuse(LIMITED + "（同一网络或手机号提交次数已达上限）", status=429)
    try:
        cleaned = photos.clean_photos(request.FILES.getlist("photos"))
    except MinhuError as exc:
        return refuse(exc.message + "；请重新选择照片", {"photos": exc.message})
    pin = (_float(values["lat"], -90, 90), _float(values["lng"], -180, 180))
    sub = submit.Submission(
        content=values["content"].strip(), phone=phone,
        request_type=values["request_type"] or "help",
        name=values["name"].strip(), address=values["address"].strip(), place=place,
        lat=pin[0] if None not in pin else None, lng=pin[1] if None not in pin else None,
        qr_code=qr.code if qr else "", photos=cleaned)
    try:
        order, _created = submit.register(sub, nonce, remote_addr=ip)
    except MinhuError as exc:
        return refuse(exc.message)
    except Exception:
        # Our fault, not the citizen's: the raw submission and its photos are kept (status
        # failed); a retry registers, routes and texts the number (``submit.follow_up``).
        log.exception("portal submission could not be registered")
        return render(request, "portal/received.html", {"phone": citizen.mask_phone(phone)},
                      status=202)
    request.session["minhu_portal_submitted"] = order.number
    return redirect("portal:done")


@require_GET
def done(request):
    number = request.session.get("minhu_portal_submitted")
    if not number:
        return redirect("portal:submit")
    order = WorkOrder.objects.filter(number=number).only("number", "citizen_phone").first()
    return render(request, "portal/done.html", {
        "number": number, "phone": citizen.mask_phone(order.citizen_phone) if order else ""})


@require_GET
def place_search(request):
    if limits.exceeded("search_ip", limits.client_ip(request)):
        return render(request, "portal/_places.html", {"message": LIMITED}, status=429)
    words = request.GET.get("q", "")
    found = [] if submit.unreadable(words) else places.search(words)
    return render(request, "portal/_places.html", {
        "places": [places.describe(p) for p in found], "asked": bool(words.strip())})


@require_GET
def place_nearest(request):
    lat = _float(request.GET.get("lat"), -90, 90)
    lng = _float(request.GET.get("lng"), -180, 180)
    if lat is None or lng is None:
        return JsonResponse({"code": "bad_coordinates", "message": "坐标不正确"}, status=400)
    place = places.nearest(lat, lng)
    if place is None:
        return JsonResponse({"code": "no_place", "message": "附近没有已登记的地点，请填写详细地址"},
                            status=404)
    return JsonResponse({"place": places.describe(place)})


@require_GET
def place_map(request):
    return JsonResponse({"points": places.map_points()})


# --- Tracking --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def track_start(request):
    values = {"number": request.GET.get("n", "")[:40], "phone": ""}
    if request.method == "GET":
        return render(request, "portal/track.html", {"values": values})
    values = {"number": request.POST.get("number", "").strip()[:40],
              "phone": request.POST.get("phone", "").strip()[:20]}
    errors = {}
    if not values["number"] or submit.unreadable(values["number"]):
        errors["number"] = "请填写工单编号"
    if not submit.MOBILE.match(submit.normal_phone(values["phone"])):
        errors["phone"] = "请填写提交诉求时留下的 11 位手机号码"
    if errors:
        return render(request, "portal/track.html", {"values": values, "errors": errors},
                      status=422)
    ip = limits.client_ip(request)
    if limits.exceeded("code_ip", ip) or limits.exceeded(
            "code_phone", submit.normal_phone(values["phone"])):
        return render(request, "portal/track.html",
                      {"values": values, "message": LIMITED}, status=429)
    order = track.find_order(values["number"], values["phone"])
    if order is not None:
        track.issue_code(order, remote_addr=ip)
    # The same answer whether or not the pair matched: the page is no oracle for numbers.
    track.start(request.session, values["number"])
    return redirect("portal:track-code")


@require_http_methods(["GET", "POST"])
def track_code(request):
    number = request.session.get(track.TRACKING_KEY)
    if not number:
        return redirect("portal:track")
    context = {"number": number, "minutes": portal_settings.code_ttl_seconds() // 60}
    if request.method == "GET":
        return render(request, "portal/track_code.html", context)
    if limits.exceeded("verify_ip", limits.client_ip(request)):
        return render(request, "portal/track_code.html", {**context, "message": LIMITED},
                      status=429)
    try:
        order = track.verify_here(request.session, number, request.POST.get("code", "")[:20])
    except MinhuError as exc:
        return render(request, "portal/track_code.html",
                      {**context, "message": exc.message, "code": exc.code}, status=422)
    track.grant(request.session, order.number)
    return redirect("portal:order", number=order.number)


def _granted_order(request, number: str) -> WorkOrder:
    if not track.granted(request.session, number):
        raise Http404
    order = (WorkOrder.objects.select_related("reply_unit", "lead_unit", "place__parent")
             .filter(number=number, parent__isnull=True).first())
    if order is None:
        raise Http404
    return order


@require_GET
def order_page(request, number):
    if not track.granted(request.session, number):
        request.session[track.TRACKING_KEY] = number
        return redirect(reverse("portal:track") + f"?n={number}")
    order = _granted_order(request, number)
    return render(request, "portal/order.html", {"o": citizen.view(order)})


@require_POST
def reopen(request, number):
    order = _granted_order(request, number)
    reason = request.POST.get("reason", "")[:1000]
    context = {"o": citizen.view(order), "reason": reason}
    if submit.unreadable(reason):
        return render(request, "portal/order.html",
                      {**context, "message": "含有无法识别的字符，请重新填写"}, status=422)
    try:
        do_citizen_reopen(order, submit.portal_account(), reason)
    except MinhuError as exc:
        return render(request, "portal/order.html", {**context, "message": exc.message},
                      status=422)
    order.refresh_from_db()
    return render(request, "portal/order.html",
                  {"o": citizen.view(order), "notice": "已提交重办申请，承办单位将重新办理"})


# --- Rating ----------------------------------------------------------------------------


def _rated_order(token: str) -> WorkOrder | None:
    try:
        number = signing.loads(token, salt=RATE_SALT)["n"]
    except (signing.BadSignature, KeyError, TypeError):
        return None
    return WorkOrder.objects.select_related("reply_unit").filter(
        number=str(number)[:40], parent__isnull=True).first()


@require_http_methods(["GET", "POST"])
def rate(request, token):
    order = _rated_order(token[:400])
    if order is None:
        return render(request, "portal/rate_gone.html", {"reason": "链接无效"}, status=404)
    if order.state != State.REPLIED:
        return render(request, "portal/rate_gone.html",
                      {"reason": "该评价链接已使用或已失效", "number": order.number}, status=410)
    context = {"order": order, "resolved_choices": ResolvedChoices.choices,
               "satisfaction_choices": Satisfaction.choices, "values": {}}
    if request.method == "GET":
        return render(request, "portal/rate.html", context)
    values = {k: request.POST.get(k, "")[:2000] for k in ("resolved", "satisfaction", "comment")}
    context["values"] = values
    if submit.unreadable(values["comment"]):
        context["message"] = "评价意见含有无法识别的字符，请重新填写"
        return render(request, "portal/rate.html", context, status=422)
    try:
        do_citizen_rate(order, submit.portal_account(), resolved=values["resolved"],
                        satisfaction=values["satisfaction"], comment=values["comment"])
    except MinhuError as exc:
        context["message"] = exc.message
        status = 410 if exc.code == "transition_not_allowed" else 422
        return render(request, "portal/rate.html", context, status=status)
    return render(request, "portal/rated.html", {"order": order,
                                                 "satisfaction": values["satisfaction"]})
