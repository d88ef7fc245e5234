"""The GeoReport v2 endpoints under /open311/v2/. Thin: read the parameters, call the
modules that know the answer, render it as JSON or XML; every refusal in the spec's
error format with a Chinese description."""

import logging
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.db.models import Q
from django.views.decorators.csrf import csrf_exempt

from minhu.core import clock
from minhu.orders.actions._base import centre_unit
from minhu.orders.models import WorkOrder
from minhu.orders.states import OPEN_STATES

from . import publish, services, submit
from .formats import FORMATS, Open311Error, error, parse_w3c, render, w3c
from .models import Submission

log = logging.getLogger(__name__)

SPEC_URL = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-22T00:00:00+08:00"  # last change of this interface
DEFAULT_SPAN = timedelta(days=90)
MAX_RESULTS = 1000
MAX_IDS = 200


def endpoint(*methods: str):
    """Format and method checks, and every error in the spec's own format."""

    def decorate(view):
        @csrf_exempt
        @wraps(view)
        def wrapper(request, *args, fmt: str, **kwargs):
            fmt = fmt.lower()
            if fmt not in FORMATS:
                return error(400, f"不支持的格式“{fmt[:10]}”，请使用 .json 或 .xml")
            if request.method not in methods and not (request.method == "HEAD"
                                                      and "GET" in methods):
                response = error(405, f"该接口不支持 {request.method} 请求（可用："
                                      f"{'、'.join(methods)}）", fmt)
                response["Allow"] = ", ".join(methods)
                return response
            try:
                _check_printable(request, kwargs)
                services.check_jurisdiction(request.GET.get("jurisdiction_id", ""))
                return view(request, *args, fmt=fmt, **kwargs)
            except Open311Error as exc:
                return error(exc.status, exc.description, fmt)
            except Exception:  # noqa: BLE001 - a bug of ours, still in the spec's format
                log.exception("Open311 %s %s failed", request.method, request.path[:200])
                return error(500, "服务器内部错误，请稍后重试", fmt)

        return wrapper

    return decorate


def _check_printable(request, path_parts: dict) -> None:
    """NUL and other control characters in a parameter are refused here: PostgreSQL
    cannot even compare against them."""
    texts = [*path_parts.values(), *request.GET.keys(), *request.GET.values()]
    if any(ord(c) < 32 for text in texts for c in text):
        raise Open311Error(400, "参数含有不允许的控制字符", "bad_characters")


@endpoint("GET")
def discovery(request, fmt):
    centre = centre_unit()
    contact = getattr(settings, "MINHU_OPEN311_CONTACT", "") or (
        f"{centre.name}，电话 {centre.contact_phone or '12345'}")
    data = {
        "changeset": CHANGESET,
        "contact": contact,
        "key_service": "接入方请联系 12345 中心申请 api_key（管理员执行 "
                       "minhu open311-key 接入方名称）",
        "endpoints": [{
            "specification": SPEC_URL,
            "url": request.build_absolute_uri("/open311/v2/").rstrip("/"),
            "changeset": CHANGESET,
            "type": "production",
            "formats": ["application/json", "text/xml"],
        }],
    }
    return render(data, fmt, root="discovery")


@endpoint("GET")
def service_list(request, fmt):
    return render(services.service_list(), fmt, root="services")


@endpoint("GET")
def service_definition(request, fmt, code):
    return render(services.definition(code), fmt, root="service_definition")


@endpoint("GET", "POST")
def requests_(request, fmt):
    if request.method == "POST":
        return _create(request, fmt)
    return render(_find(request.GET), fmt, root="service_requests")


@endpoint("GET")
def request_detail(request, fmt, rid):
    found = _public_requests(_base().filter(number=rid[:40]))
    if not found:
        raise Open311Error(404, f"诉求“{rid[:40]}”不存在", "not_found")
    return render(found, fmt, root="service_requests")


@endpoint("GET")
def token_detail(request, fmt, token):
    submission = (Submission.objects.select_related("raw__order")
                  .filter(token=token[:40]).first())
    if submission is None:
        raise Open311Error(404, f"token“{token[:40]}”不存在", "unknown_token")
    item = {"token": submission.token}
    order = submission.raw.order
    if order is not None:
        item = {"service_request_id": order.number, "token": submission.token}
    return render([item], fmt, root="service_requests")


@csrf_exempt
def unknown(request, *args, **kwargs):
    return error(404, "接口不存在。可用：discovery、services、services/{service_code}、"
                      "requests、requests/{service_request_id}、tokens/{token}，"
                      "加 .json 或 .xml")


# --- POST requests -------------------------------------------------------------------


def _create(request, fmt):
    form = submit.read_form(request)
    client = submit.authenticate(form)
    created = submit.create(request, form, client)
    item = {"token": created.token}
    if created.order is not None:
        order = created.order
        item["service_request_id"] = order.number
        item["service_notice"] = (f"已受理，工单编号 {order.number}；"
                                  f"{publish.service_notice(order) or ''}").rstrip("；")
    else:
        item["service_notice"] = "已收到，工单正在生成，请稍后凭 token 查询工单编号"
    if created.account_id:
        item["account_id"] = created.account_id
    return render([item], fmt, root="service_requests")


# --- GET requests ----------------------------------------------------------------------


def _base():
    return WorkOrder.objects.filter(parent__isnull=True)


def _public_requests(qs) -> list[dict]:
    orders = publish.load(qs)
    media = dict(Submission.objects.filter(raw__order__in=[o.pk for o in orders])
                 .exclude(media_url="").values_list("raw__order_id", "media_url"))
    return [publish.public_request(o, media.get(o.pk, "")) for o in orders]


def _codes(value: str, what: str, limit: int) -> list[str]:
    codes = [c.strip() for c in value.split(",") if c.strip()]
    if len(codes) > limit:
        raise Open311Error(400, f"{what} 最多 {limit} 个", "too_many")
    return codes


def _find(params) -> list[dict]:
    ids = _codes(params.get("service_request_id", ""), "service_request_id", MAX_IDS)
    if ids:  # the spec: the list of ids overrides every other parameter
        by_number = {r["service_request_id"]: r for r in
                     _public_requests(_base().filter(number__in=[i[:40] for i in ids]))}
        return [by_number[i] for i in dict.fromkeys(ids) if i in by_number]
    qs = _base()
    codes = _codes(params.get("service_code", ""), "service_code", 50)
    if codes:
        known = set(services.active_services().filter(code__in=codes)
                    .values_list("code", flat=True))
        unknown = [c for c in codes if c not in known and c != services.UNCLASSIFIED[0]]
        if unknown:
            raise Open311Error(404, f"服务代码“{unknown[0][:20]}”不存在", "unknown_service")
        condition = Q(category__code__in=known)
        if services.UNCLASSIFIED[0] in codes:
            condition |= Q(category__isnull=True)
        qs = qs.filter(condition)
    statuses = set(_codes(params.get("status", ""), "status", 2))
    if statuses - {"open", "closed"}:
        raise Open311Error(400, "status 只能是 open 或 closed（可用逗号分隔）", "bad_status")
    if statuses == {"open"}:
        qs = qs.filter(state__in=OPEN_STATES)
    elif statuses == {"closed"}:
        qs = qs.exclude(state__in=OPEN_STATES)
    start, end = _span(params)
    qs = qs.filter(created_at__gte=start, created_at__lte=end)
    return _public_requests(qs.order_by("-created_at", "-pk")[:MAX_RESULTS])


def _span(params):
    """start_date / end_date (W3C); the spec's default is the last 90 days, and a range
    may not span more than 90 days."""
    start_text, end_text = params.get("start_date", ""), params.get("end_date", "")
    start = parse_w3c(start_text, "start_date") if start_text.strip() else None
    end = parse_w3c(end_text, "end_date") if end_text.strip() else None
    if start is None and end is None:
        end = clock.now()
    if start is None:
        start = end - DEFAULT_SPAN
    if end is None:
        end = start + DEFAULT_SPAN
    if start > end:
        raise Open311Error(400, "start_date 不能晚于 end_date", "bad_date_range")
    if end - start > DEFAULT_SPAN:
        raise Open311Error(400, f"查询时间范围不能超过 90 天（{w3c(start)} 至 {w3c(end)}）",
                           "date_range_too_long")
    return start, end
