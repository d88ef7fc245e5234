"""Pages of the grid patrol: report a problem (phone first), follow my reports, and the
proactive-discovery statistics for leaders.

The views only read the form and show the answer; ``actions.do_patrol_report`` decides.
"""

import uuid
from datetime import date
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from minhu.catalog.models import Category
from minhu.core.errors import MinhuError
from minhu.orders.access import visible_orders
from minhu.web.periods import day_bounds, report_period

from . import stats
from .access import REFUSAL, link_retried, may_report, places_for, reports_of
from .actions import PatrolInput, do_patrol_report
from .photos import clean_photos, max_photos

# What grid workers find most often: offered before any search.
COMMON_CATEGORIES = ("CG04", "CG08", "SZ06", "CG02", "CG09", "CG06", "CG07", "SZ02")
MAX_QUERY = 20
MAX_PERIOD_DAYS = 366


def reporter_only(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not may_report(request.user):
            return render(request, "patrol/denied.html", {"reason": REFUSAL}, status=403)
        return view(request, *args, **kwargs)

    return wrapped


def unreadable(value: str) -> bool:
    """NUL, lone surrogates or U+FFFD (text in another encoding read as UTF-8)."""
    if "\x00" in value or "\ufffd" in value:
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _float(value: str) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if abs(number) < 1000 else None


def _read(post) -> tuple[PatrolInput, dict, dict]:
    values = {k: post.get(k, "") for k in ("content", "category", "place",
                                            "address", "lat", "lng", "note", "key")}
    values["solved_on_spot"] = post.get("solved_on_spot", "") in ("1", "on", "true")
    errors = {}
    for name, value in values.items():
        if isinstance(value, str) and unreadable(value):
            errors[name if name in ("content", "address", "note") else "form"] = _(
                "内容含有无法识别的字符（可能是编码错误），请重新输入")
    place = values["place"]
    place_id = int(place) if place.isdigit() and len(place) < 12 else None
    here = place == "here"
    data = PatrolInput(
        content=values["content"], category=values["category"][:20], place_id=place_id,
        lat=_float(values["lat"]) if here else None, lng=_float(values["lng"]) if here else None,
        address=values["address"], solved_on_spot=values["solved_on_spot"],
        note=values["note"], key=values["key"])
    if here and (data.lat is None or data.lng is None):
        errors.setdefault("place", _("未能取得当前位置，请允许定位或从列表中选择地点"))
    return data, values, errors


def _form_context(user, values=None, errors=None) -> dict:
    unit = user.unit
    values = values or {"key": uuid.uuid4().hex, "place": ""}
    if not values.get("key"):
        values["key"] = uuid.uuid4().hex
    places = list(places_for(unit))
    common = list(Category.objects.filter(code__in=COMMON_CATEGORIES, is_active=True)
                  .select_related("parent"))
    common.sort(key=lambda c: COMMON_CATEGORIES.index(c.code))
    picked = values.get("category", "")
    other = None
    if picked and picked not in COMMON_CATEGORIES and not unreadable(picked):
        other = (Category.objects.filter(code=picked[:20], parent__isnull=False)
                 .select_related("parent").first())
    return {"unit": unit, "places": places, "values": values, "errors": errors or {},
            "common": common, "other": other, "max_photos": max_photos(),
            "recent": list(reports_of(user)[:3])}


@reporter_only
def report(request):
    if request.method != "POST":
        return render(request, "patrol/report.html", _form_context(request.user))
    data, values, errors = _read(request.POST)
    photos = []
    if not errors:
        try:
            photos = clean_photos(request.FILES.getlist("photos"))
        except MinhuError as exc:
            errors["photos"] = exc.message
    if not errors:
        try:
            done = do_patrol_report(request.user, data, photos,
                                    remote_addr=request.META.get("REMOTE_ADDR"))
        except MinhuError as exc:
            errors[exc.details.get("field") or "form"] = exc.message
        else:
            number = done.order.number if done.order else ""
            if done.solved_on_spot:
                text = _("已上报并办结（现场处置），工单编号 %(number)s") % {"number": number}
            else:
                text = _("已上报，工单编号 %(number)s") % {"number": number}
            messages.success(request, text)
            return redirect("patrol:mine")
    return render(request, "patrol/report.html", _form_context(request.user, values, errors),
                  status=422)


@reporter_only
@require_GET
def mine(request):
    rows = list(reports_of(request.user).select_related("raw__order").defer("raw__body")[:100])
    link_retried(rows)
    orders = [r.order for r in rows if r.order]
    visible = set(visible_orders(request.user).filter(pk__in=[o.pk for o in orders])
                  .values_list("pk", flat=True))
    for r in rows:
        r.can_open = r.order_id in visible
    return render(request, "patrol/mine.html", {"rows": rows})


@reporter_only
@require_GET
def categories(request):
    """Second-level categories matching the words typed (name, keyword, code, parent)."""
    q = request.GET.get("category_q", "").strip()[:MAX_QUERY]
    found = []
    if q and not unreadable(q):
        low = q.lower()
        for c in Category.objects.filter(is_active=True, parent__isnull=False,
                                         parent__is_active=True).select_related("parent"):
            words = [w.strip() for w in c.keywords.replace("，", ",").split(",") if w.strip()]
            score = (8 if c.code.lower() == low else 0) + (4 if low in c.name.lower() else 0)
            score += 2 if any(low in w.lower() for w in words) else 0
            score += 1 if low in c.parent.name.lower() else 0
            if score:
                found.append((score, c))
    found.sort(key=lambda pair: (-pair[0], pair[1].code))
    return render(request, "patrol/_categories.html",
                  {"found": [c for _, c in found[:8]], "q": q})


# --- Statistics -------------------------------------------------------------------------


def period_of(request) -> tuple[date, date, str]:
    """[first, last] days (inclusive) from ?start=&end=, default the last 30 days."""
    return report_period(request.GET, default_days=30, max_days=MAX_PERIOD_DAYS)


@login_required
@require_GET
def stats_page(request):
    area = stats.area_of_viewer(request.user)
    if area is False:
        return render(request, "patrol/denied.html",
                      {"reason": _("主动发现统计面向街道、区县负责人和中心分析、督办人员")},
                      status=403)
    chosen = stats.pick_area(area, request.GET.get("area", ""))
    first, last, problem = period_of(request)
    start, end = day_bounds(first, last)
    level, rows = stats.by_area(start, end, chosen)
    summary = stats.summary(start, end, chosen)
    chart = {"labels": [r["name"] for r in rows],
             "proactive": [r["proactive"] for r in rows],
             "citizen": [r["citizen"] for r in rows],
             "share": [r["share_pct"] for r in rows],
             "names": {"proactive": _("网格员主动发现"), "citizen": _("群众反映"),
                       "share": _("主动发现占比（%）")}}
    return render(request, "patrol/stats.html", {
        "area": chosen, "home": area, "level": level, "rows": rows, "summary": summary,
        "first": first, "last": last, "problem": problem, "chart": chart,
        "trail": stats.trail(area, chosen),
    })
