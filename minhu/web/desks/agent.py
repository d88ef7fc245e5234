"""Agent console 话务台: take a call in seconds.

One short form (number, name, address, content, type, urgency, category) registered in
one call to ``operations.register``, with three helpers that answer while the agent types:
the caller's earlier orders (same number), address autocomplete over the city's places,
and open orders nearby. Consultations can be answered on the spot (``answer=``), which
registers and closes the order in the same transaction.

No business rule lives here: the form is read into ``RegisterIn`` and the operation
decides; this module only turns refusals into Chinese messages next to the right field.
"""

import re
import uuid
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.db.models.functions import Length
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django.views.decorators.http import require_GET, require_POST
from pydantic import ValidationError

from minhu.accounts.roles import Role
from minhu.catalog.models import Category, RequestType, UrgencyTier
from minhu.core import clock
from minhu.core.errors import MinhuError
from minhu.orders.access import mask_name
from minhu.orders.models import WorkOrder
from minhu.orders.operations import RegisterIn, register
from minhu.orders.states import OPEN_STATES, Channel
from minhu.org.kinds import PlaceKind, UnitKind
from minhu.org.models import Place, Unit

# --- Access ------------------------------------------------------------------------------


def desk_required(*roles, label: str):
    """Logged in and holding one of ``roles`` (superusers pass); otherwise a plain 403
    page saying which role the desk is for."""

    def decorate(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.has_role(*roles):
                return render(request, "web/agent/forbidden.html", {"desk": label,
                              "roles": [Role.label_of(r) for r in roles]}, status=403)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


agent_desk = desk_required(Role.AGENT, label=gettext_lazy("话务台"))

# --- Reading the form --------------------------------------------------------------------

TEXT_FIELDS = ("citizen_phone", "citizen_name", "address", "place_id", "community", "content",
               "request_type", "urgency", "category", "enterprise_name", "answer",
               "cti_call_id")
FLAG_FIELDS = ("is_anonymous", "is_confidential", "is_enterprise")
# DOM order of the form: the first field with an error gets the focus.
FIELD_ORDER = ("citizen_phone", "citizen_name", "address", "content", "request_type",
               "urgency", "category", "answer", "enterprise_name")
# In Chinese (a refusal's message is matched against them); translated where shown.
LABELS = {
    "citizen_phone": gettext_noop("来电号码"),
    "citizen_name": gettext_noop("姓名"),
    "address": gettext_noop("地址"),
    "place_id": gettext_noop("地址"),
    "community": gettext_noop("地址"),
    "content": gettext_noop("诉求内容"),
    "request_type": gettext_noop("诉求类型"),
    "urgency": gettext_noop("紧急程度"),
    "category": gettext_noop("诉求分类"),
    "enterprise_name": gettext_noop("企业名称"),
    "answer": gettext_noop("答复内容"),
    "title": gettext_noop("标题"),
    "cti_call_id": gettext_noop("来电编号"),
}
# Where a refusal from the operation belongs on the form (by its stable code).
CODE_FIELDS = {
    "bad_phone": "citizen_phone", "unknown_place": "address", "unknown_area": "address",
    "bad_coordinates": "address", "missing_requesttype": "request_type",
    "unknown_requesttype": "request_type", "unknown_urgencytier": "urgency",
    "unknown_category": "category", "not_answerable": "form",
}
TRUE = {"1", "true", "on", "yes"}
KEY_RE = re.compile(r"^[A-Za-z0-9-]{8,64}$")
LATIN = re.compile(r"[A-Za-z]")
MAX_LOOKUP = 40
# Alt+1…6 pick the request type, Alt+7…0 the urgency.
URGENCY_KEYS = "7890"


def unreadable(value: str) -> bool:
    """NUL (PostgreSQL cannot store it), lone surrogates, or the replacement character that
    bytes in another encoding (GBK …) turn into when read as UTF-8."""
    if "\x00" in value or "\ufffd" in value:
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def read_form(post) -> tuple[dict, dict]:
    """The submitted values as strings (to show again) and the flags as booleans."""
    values = {name: post.get(name, "") for name in TEXT_FIELDS}
    flags = {name: post.get(name, "").lower() in TRUE for name in FLAG_FIELDS}
    return values, flags


def home(field: str) -> str:
    """The form field an error is shown next to (hidden fields belong to their picker)."""
    field = {"place_id": "address", "community": "address"}.get(field, field)
    return field if field in FIELD_ORDER else "form"


def _pydantic_message(error: dict) -> tuple[str, str]:
    field = str(error.get("loc", ("",))[0])
    label = _(LABELS[field]) if field in LABELS else field
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "string_too_long":
        return field, _("%(field)s过长（最多 %(max)s 字）") % {"field": label,
                                                            "max": ctx.get("max_length")}
    if kind in ("string_too_short", "missing"):
        return field, _("请填写%(field)s") % {"field": label}
    if field == "place_id":
        return "address", _("所选地点无效，请从下拉列表中重新选择")
    return field, _("%(field)s填写不正确") % {"field": label}


def build_intake(values: dict, flags: dict, mode: str) -> tuple[RegisterIn | None, dict]:
    """``RegisterIn`` from the form, or the errors by field (Chinese, for the form)."""
    errors: dict[str, str] = {}
    for name, value in values.items():
        if unreadable(value):
            errors.setdefault(home(name), _("%(field)s含有无法识别的字符（可能是编码错误），"
                                            "请重新输入") % {"field": _(LABELS[name])})
    if errors:
        return None, errors
    data = {name: value for name, value in values.items()
            if value != "" and name not in ("answer", "cti_call_id")}
    data.update(channel=Channel.PHONE, is_anonymous=flags["is_anonymous"],
                is_enterprise=flags["is_enterprise"])
    # Unchecked means "as the type says" (举报 is confidential by default).
    data["is_confidential"] = True if flags["is_confidential"] else None
    if not flags["is_enterprise"]:
        data.pop("enterprise_name", None)
    if mode == "answer":
        if not values["answer"].strip():
            errors["answer"] = _("请填写答复内容，再点“直接答复办结”")
        data["answer"] = values["answer"]
    if values["place_id"]:
        data.pop("community", None)  # the place gives the jurisdiction
    try:
        intake = RegisterIn(**data)
    except ValidationError as exc:
        for err in exc.errors():
            field, message = _pydantic_message(err)
            errors.setdefault(home(field), message)
        return None, errors
    return (None, errors) if errors else (intake, {})


def error_field(exc: MinhuError) -> str:
    field = CODE_FIELDS.get(exc.code)
    if field:
        return home(field)
    for name in ("answer", "content"):
        if LABELS[name] in exc.message:
            return name
    return "form"


# --- Pages -------------------------------------------------------------------------------


def _today_start():
    return timezone.localtime(clock.now()).replace(hour=0, minute=0, second=0, microsecond=0)


def _recent(user) -> dict:
    mine = WorkOrder.objects.filter(registered_by=user, created_at__gte=_today_start())
    return {
        "recent": list(mine.select_related("request_type", "category")
                       .order_by("-created_at")[:8]),
        "recent_count": mine.count(),
    }


def area_of(community: Unit | None) -> str:
    """"东城区 / 文昌街道 / 翠苑社区" for a community (with its parents selected)."""
    if community is None:
        return ""
    parts = [community.name]
    street = community.parent
    if street is not None:
        parts.insert(0, street.name)
        if street.parent is not None and street.parent.kind == UnitKind.DISTRICT:
            parts.insert(0, street.parent.name)
    return " / ".join(parts)


def _chosen(values: dict) -> dict:
    """Chips for what was picked before a re-render (place or community, category)."""
    out = {"place_area": "", "category_label": ""}
    values = {k: ("" if unreadable(v) else v) for k, v in values.items()}
    place_id = values.get("place_id", "")
    if place_id.isdigit() and len(place_id) < 12:
        place = (Place.objects.select_related("parent", "community__parent__parent")
                 .filter(pk=int(place_id)).first())
        if place is not None:
            out["place_area"] = area_of(place.community)
    elif values.get("community"):
        unit = (Unit.objects.select_related("parent__parent")
                .filter(code=values["community"][:40], kind=UnitKind.COMMUNITY).first())
        out["place_area"] = area_of(unit)
    if values.get("category"):
        cat = (Category.objects.select_related("parent")
               .filter(code=values["category"][:20]).first())
        out["category_label"] = str(cat) if cat else ""
    return out


def form_context(values=None, flags=None, errors=None, done=None) -> dict:
    values = values or {name: "" for name in TEXT_FIELDS}
    flags = flags or {name: False for name in FLAG_FIELDS}
    values["request_type"] = values.get("request_type") or "consult"
    values["urgency"] = values.get("urgency") or "normal"
    types = list(RequestType.objects.all())
    errors = errors or {}
    focus = next((f for f in FIELD_ORDER if f in errors), "citizen_phone")
    direct = any(t.code == values["request_type"] and t.can_answer_directly for t in types)
    urgencies = list(UrgencyTier.objects.all())
    for i, u in enumerate(urgencies):
        u.key = URGENCY_KEYS[i] if i < len(URGENCY_KEYS) else ""
    return {
        "values": values, "flags": flags, "errors": errors, "done": done, "focus": focus,
        "types": types, "urgencies": urgencies, "direct": direct,
        "intake_key": uuid.uuid4().hex, **_chosen(values),
    }


def _from_call(user, call_id: str) -> dict | None:
    """Form values for a registration started from a call that rang at this agent (the
    CTI pop's button): the caller's number and the call id that goes onto the order."""
    from minhu.telephony.events import call_for_registration, caller_of

    event = call_for_registration(user, call_id) if call_id and not unreadable(call_id) \
        else None
    if event is None:
        return None
    values = {name: "" for name in TEXT_FIELDS}
    values.update(citizen_phone=caller_of(event.call_id), cti_call_id=event.call_id)
    return values


@agent_desk
@require_GET
def console(request):
    values = _from_call(request.user, request.GET.get("call", "")[:64])
    return render(request, "web/agent/console.html", {**form_context(values),
                                                      **_recent(request.user),
                                                      **_pop_settings()})


def _pop_settings() -> dict:
    return {"cti_poll_seconds": max(1, int(getattr(settings, "MINHU_CTI_POP_POLL_SECONDS", 3)))}


@agent_desk
@require_POST
def register_call(request):
    """Register the call (and with "直接答复办结", answer and close it) in one operation."""
    values, flags = read_form(request.POST)
    mode = "answer" if request.POST.get("mode") == "answer" else "register"
    key = request.POST.get("intake_key", "")
    key = key if KEY_RE.match(key) else None
    intake, errors = build_intake(values, flags, mode)
    if intake is not None and values["cti_call_id"]:
        # The call id goes onto the order (ExternalRef, channel phone): one order per call,
        # and a second submit from the same call finds the first order.
        if _from_call(request.user, values["cti_call_id"][:64]) is None:
            intake, errors = None, {"form": _("关联的来电不存在或不是打给您的，"
                                              "请从来电弹屏重新开始登记")}
        else:
            intake = intake.model_copy(update={"external_id": values["cti_call_id"][:64]})
    done = None
    if intake is not None:
        try:
            order, created = register(request.user, intake, idempotency_key=key)
        except MinhuError as exc:
            errors = {error_field(exc): exc.message}
        else:
            order = (WorkOrder.objects.select_related("request_type", "urgency", "category")
                     .get(pk=order.pk))
            done = {"order": order, "created": created, "answered": mode == "answer"}
    if done:
        context = form_context(done=done)
    else:
        context = form_context(values, flags, errors)
        context["intake_key"] = key or context["intake_key"]
    context.update(_recent(request.user))
    context.update(_pop_settings())
    if request.headers.get("HX-Request"):
        return render(request, "web/agent/_form_response.html", context)
    return render(request, "web/agent/console.html", context,
                  status=200 if done else 422)


# --- Helpers that answer while the agent types ------------------------------------------


def _phone(request) -> str:
    phone = request.GET.get("citizen_phone", "").strip()
    bare = phone.replace("-", "").replace("+", "").replace(" ", "")
    if len(phone) > 20 or len(bare) < 5 or not bare.isdigit():
        return ""
    return phone


def _rows(qs):
    rows = list(qs.select_related("request_type", "category", "lead_unit")[:8])
    for o in rows:
        o.masked_name = _("匿名") if o.is_anonymous else mask_name(o.citizen_name)
    return rows


def caller_context(user, phone: str) -> dict:
    """The orders ``user`` may see that were registered for ``phone``, open ones first
    (also the history in the CTI pop)."""
    if not phone:
        return {"phone": ""}
    # Sub-orders carry their parent's caller: count each request once.
    mine = WorkOrder.objects.visible_to(user).filter(citizen_phone=phone, parent__isnull=True)
    since = clock.now() - timedelta(days=30)
    stats = mine.aggregate(total=Count("pk"), recent=Count("pk", filter=Q(created_at__gte=since)),
                           open=Count("pk", filter=Q(state__in=OPEN_STATES)))
    return {
        "phone": phone, "stats": stats,
        "open_orders": _rows(mine.filter(state__in=OPEN_STATES).order_by("-created_at")),
        "earlier": _rows(mine.exclude(state__in=OPEN_STATES).order_by("-created_at")),
    }


@agent_desk
@require_GET
def caller(request):
    """同一来电人: the orders earlier registered for this number, open ones first."""
    return render(request, "web/agent/_caller.html", caller_context(request.user,
                                                                    _phone(request)))


def _terms(raw: str) -> list[str]:
    raw = raw.strip()[:MAX_LOOKUP]
    if not raw or unreadable(raw):
        return []
    return raw.split()[:4]


@agent_desk
@require_GET
def places(request):
    """Address autocomplete: places by name, alias or address (every word must match),
    compounds and landmarks before buildings, and communities by name."""
    terms = _terms(request.GET.get("address", ""))
    if not terms:
        return render(request, "web/agent/_places.html", {})
    cond = Q()
    for term in terms:
        # Case only matters for Latin letters; a plain LIKE is much cheaper than UPPER()
        # on every row for Chinese text. A building's address holds its compound's name.
        op = "icontains" if LATIN.search(term) else "contains"
        cond &= (Q(**{f"name__{op}": term}) | Q(**{f"aliases__{op}": term})
                 | Q(**{f"address__{op}": term}))
    found = list(
        Place.objects.filter(cond)
        .select_related("parent", "community__parent__parent")
        .annotate(building=Case(When(parent__isnull=True, then=Value(0)), default=Value(1),
                                output_field=IntegerField()),
                  exact=Case(When(name=terms[0], then=Value(0)), default=Value(1),
                             output_field=IntegerField()),
                  name_len=Length("name"))
        .order_by("exact", "building", "name_len", "pk")[:10]
    )
    for p in found:
        p.label = str(p)
        p.area = area_of(p.community)
        p.kind_label = PlaceKind.label_of(p.kind)
    communities = []
    if len(terms) == 1:
        communities = list(
            Unit.objects.filter(kind=UnitKind.COMMUNITY, is_active=True)
            .filter(Q(name__icontains=terms[0]) | Q(short_name__icontains=terms[0]))
            .select_related("parent__parent").order_by("path")[:4])
        for c in communities:
            c.area = area_of(c)
    # Compounds, roads and landmarks, then communities, then buildings.
    return render(request, "web/agent/_places.html", {
        "places": [p for p in found if not p.building], "communities": communities,
        "buildings": [p for p in found if p.building]})


def _category_rows() -> list[Category]:
    rows = list(Category.objects.filter(is_active=True, parent__isnull=False,
                                        parent__is_active=True).select_related("parent"))
    for c in rows:
        c.words = [w.strip() for w in c.keywords.replace("，", ",").split(",") if w.strip()]
    return rows


@agent_desk
@require_GET
def categories(request):
    """Category picker: search second-level categories by code, name, parent name or
    keyword; with an empty search, the categories whose keywords the content mentions."""
    q = request.GET.get("category_q", "").strip()[:20]
    content = request.GET.get("content", "")[:5000]
    if unreadable(q) or unreadable(content):
        q, content = "", ""
    scored = []
    if q:
        low = q.lower()
        for c in _category_rows():
            score = (8 if c.code.lower() == low else 0) + (4 if low in c.name.lower() else 0)
            score += 2 if any(low in w.lower() for w in c.words) else 0
            score += 1 if low in c.parent.name.lower() else 0
            if score:
                scored.append((score, c))
    elif content.strip():
        for c in _category_rows():
            hits = [w for w in c.words if w in content]
            if hits:
                c.hits = hits[:3]
                scored.append((len(hits), c))
    scored.sort(key=lambda pair: (-pair[0], pair[1].code))
    return render(request, "web/agent/_categories.html", {
        "found": [c for _, c in scored[:10]], "q": q, "suggested": not q,
    })


@agent_desk
@require_GET
def related(request):
    """Open orders of the last 30 days at the same compound (or place) and in the same
    community: a second caller about the same problem is a candidate for 并单."""
    place = None
    place_id = request.GET.get("place_id", "")
    if place_id.isdigit() and len(place_id) < 12:
        place = Place.objects.select_related("parent", "community").filter(
            pk=int(place_id)).first()
    community = place.community if place else None
    code = request.GET.get("community", "")[:40]
    if community is None and code and not unreadable(code):
        community = Unit.objects.filter(code=code, kind=UnitKind.COMMUNITY).first()
    if community is None:
        return render(request, "web/agent/_related.html", {"community": None})
    same_place: list[int] = []
    if place is not None:
        root = place.parent or place
        same_place = [root.pk, *Place.objects.filter(parent_id=root.pk)
                      .values_list("pk", flat=True)]
    phone = _phone(request)
    since = clock.now() - timedelta(days=30)
    qs = (WorkOrder.objects.visible_to(request.user)
          .filter(state__in=OPEN_STATES, created_at__gte=since, parent__isnull=True)
          .filter(Q(community_id=community.pk) | Q(place_id__in=same_place)))
    rows = list(
        qs.annotate(here=Case(When(place_id__in=same_place, then=Value(0)), default=Value(1),
                              output_field=IntegerField()))
        .select_related("request_type", "category", "place__parent", "lead_unit")
        .order_by("here", "-created_at")[:12])
    for o in rows:
        o.same_caller = bool(phone) and o.citizen_phone == phone
    return render(request, "web/agent/_related.html", {
        "community": community, "place": (place.parent or place) if place else None,
        "rows": rows, "total": qs.count(),
    })
