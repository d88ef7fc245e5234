"""Dispatcher desk 派单台.

One screen for the dispatcher's four queues: orders waiting to be dispatched (with the
suggested category and units), returns and upward reports waiting for review, extension
requests, and dissatisfied callbacks. The selected order opens in a side panel (htmx).
Every change is an operation run through the shared ``act`` endpoint, exactly as the API
runs it; this module only reads.
"""

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minhu.accounts.roles import Role
from minhu.catalog.models import Category, UrgencyTier
from minhu.catalog.routing import route
from minhu.core import clock
from minhu.core.errors import MinhuError
from minhu.orders.access import access_order, citizen_view
from minhu.orders.models import Callback, ExtensionRequest, ReturnRequest, WorkOrder
from minhu.orders.states import ReviewStatus, State
from minhu.org.kinds import DISPATCH_KINDS, UnitKind
from minhu.org.models import Unit

from ..templatetags.minhu_web import span_text

log = logging.getLogger(__name__)
PAGE_SIZE = 40
SIMILAR_DAYS = 7
SIMILAR_LIMIT = 8
# States in which an extension request can still be reviewed.
EXTENSION_STATES = (State.DISPATCHED, State.HANDLING, State.RETURN_REVIEW)
# Orders that may be merged, or merged into (the merge rule decides the rest).
MERGEABLE_STATES = (State.REGISTERED, State.DISPATCHED, State.HANDLING)

TABS = [
    ("queue", gettext_lazy("待派单")),
    ("returns", gettext_lazy("退单/上报审核")),
    ("extensions", gettext_lazy("延期审核")),
    ("dissatisfied", gettext_lazy("不满意审核")),
]
TAB_KEYS = {key for key, _ in TABS}
URGENCY_TONE = {"urgent": "red", "pressing": "yellow"}
EXTENSION_UNITS = {"hours": gettext_lazy("小时"), "days": gettext_lazy("自然日"),
                   "workdays": gettext_lazy("工作日")}


# --- Access -----------------------------------------------------------------------


def desk_for(*roles, desk: str):
    """Only people holding one of ``roles`` work at this desk; others get a plain
    Chinese refusal (403), not a traceback or a silent redirect loop."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.has_role(*roles):
                return render(request, "web/dispatch/denied.html", {"desk": desk}, status=403)
            return view(request, *args, **kwargs)

        return login_required(wrapper)

    return decorate


dispatcher_desk = desk_for(Role.DISPATCHER, desk=gettext_lazy("派单台"))


def sub_centre_of(user) -> Unit | None:
    unit = user.unit if user.unit_id else None
    if unit is not None and unit.kind == UnitKind.SUB_CENTRE and not user.is_superuser:
        return unit
    return None


def desk_orders(user, *, everything: bool = False):
    """The orders this dispatcher works on: a sub-centre only what was handed to it; the
    centre its own pool, or (``everything``) also what sits with the sub-centres."""
    qs = WorkOrder.objects.visible_to(user)
    own = sub_centre_of(user)
    if own is not None:
        return qs.filter(dispatch_unit=own)
    if not everything:
        qs = qs.exclude(dispatch_unit_id__in=_sub_centre_ids(user))
    return qs


def _sub_centre_ids(user) -> list[int]:
    """The sub-centres' ids, looked up once per request (kept on the request's user)."""
    if not hasattr(user, "_sub_centre_ids"):
        user._sub_centre_ids = list(Unit.objects.filter(kind=UnitKind.SUB_CENTRE)
                                    .values_list("pk", flat=True))
    return user._sub_centre_ids


# --- Suggestions ------------------------------------------------------------------


@dataclass
class Suggestion:
    """One proposal for where an order should go, with why and how sure.

    The responsibility list and triage (智能分拨: the list plus what the history teaches)
    fill the same list, each with its own ``source``, ``reason`` and ``confidence``.
    """

    source: str
    category: Category | None
    lead: Unit
    co: list[Unit] = field(default_factory=list)
    reason: str = ""
    confidence: float = 0.0
    also: list["Suggestion"] = field(default_factory=list)  # other sources, same proposal
    learned: bool = False  # from triage (the list + history), not the list alone

    @property
    def note(self) -> str:
        """What the timeline keeps when this suggestion is taken (in Chinese, as stored);
        the learned reason rides along when triage proposed the same."""
        note = f"采纳派单建议：{self.reason}"
        learned = next((x for x in self.also if x.is_learned), None)
        if learned is not None:
            note += f"（智能分拨 {learned.percent}%：{learned.reason}）"
        return note

    @property
    def percent(self) -> int:
        return round(self.confidence * 100)

    @property
    def tone(self) -> str:
        return "green" if self.confidence >= 0.8 else "yellow" if self.confidence >= 0.5 \
            else "muted"

    @property
    def best(self) -> float:
        """The surest confidence among this row and the same proposal from other sources."""
        return max([self.confidence, *(x.confidence for x in self.also)])

    @property
    def best_percent(self) -> int:
        return round(self.best * 100)

    @property
    def best_tone(self) -> str:
        return "green" if self.best >= 0.8 else "yellow" if self.best >= 0.5 else "muted"

    @property
    def is_learned(self) -> bool:
        return self.learned


def _chain(order) -> dict:
    return {"district": order.district, "street": order.street,
            "community": order.community, "grid": order.grid}


def _rule_confidence(rule, category: Category) -> float:
    """How closely a responsibility-list line fits: its own category and area beat a
    first-level or city-wide line."""
    score = 0.9 if rule.category_id == category.pk else 0.75
    if rule.area_id is not None:
        score += 0.05
    return min(score, 0.97)


def keyword_categories(text: str, limit: int = 3) -> list[tuple[Category, float]]:
    """Second-level categories whose keywords occur in ``text``, best first, each with its
    share of the keyword hits (used only when nobody has classified the order)."""
    text = text or ""
    scored = []
    for cat in Category.objects.filter(is_active=True, parent__isnull=False).select_related(
            "parent"):
        words = [w.strip() for w in cat.keywords.split(",") if w.strip()]
        hits = sum(1 for w in words if w in text)
        if hits:
            scored.append((hits, cat))
    scored.sort(key=lambda x: (-x[0], x[1].code))
    total = sum(h for h, _ in scored[:limit]) or 1
    return [(cat, h / total) for h, cat in scored[:limit]]


def responsibility_suggestions(order, category: Category | None = None) -> list[Suggestion]:
    """The responsibility list's answer, one suggestion per candidate category (the
    order's own, the one being previewed, or guesses from keywords when it has none)."""
    chain = _chain(order)
    category = category or order.category
    candidates = ([(category, None)] if category is not None
                  else keyword_categories(order.content))
    out = []
    for cat, guess in candidates:
        found = route(cat, chain, is_enterprise=order.is_enterprise)
        if found is None:
            continue
        confidence = _rule_confidence(found.rule, cat)
        reason = found.reason
        if guess is not None:
            # A guessed category is never as sure as one a person chose.
            confidence *= 0.3 + 0.4 * guess
            reason = f"按关键词推测分类为“{cat}”；{reason}"
        out.append(Suggestion(source=gettext_lazy("权责清单"), category=cat, lead=found.lead,
                              co=found.co, reason=reason, confidence=confidence))
    return out


LEARNED_SOURCE = gettext_lazy("智能分拨")


def triage_of(order):
    """Triage's full suggestion for ``order`` (classification, place, routes, duplicates,
    flags), computed once per request and kept on the order; None if triage failed."""
    if not hasattr(order, "_triage"):
        try:
            from minhu.triage.suggest import suggest

            order._triage = suggest(order)
        except Exception:  # noqa: BLE001 - the desk works without triage
            log.exception("triage failed for order %s", order.number)
            order._triage = None
    return order._triage


def learned_suggestions(order, category: Category | None = None) -> list[Suggestion]:
    """Triage's routes (responsibility list + the history of who solved what where), with
    their reasons; for a previewed category, routed again under that category."""
    found = triage_of(order)
    if found is None:
        return []
    routes = found.routes
    if category is not None:
        from minhu.triage.suggest import routes_for
        from minhu.triage.types import Guess

        routes = routes_for([Guess(code=category.code, confidence=1.0)], found.place,
                            is_enterprise=order.is_enterprise)
    ids = {r.lead_id for r in routes} | {u for r in routes for u in r.co_ids}
    units = Unit.objects.in_bulk(ids)
    codes = {r.category_code for r in routes if r.category_code}
    cats = {c.code: c for c in Category.objects.filter(code__in=codes).select_related("parent")}
    out = []
    for r in routes:
        lead = units.get(r.lead_id)
        if lead is None or not lead.is_active:
            continue
        out.append(Suggestion(
            source=LEARNED_SOURCE, learned=True, category=cats.get(r.category_code), lead=lead,
            co=[units[u] for u in r.co_ids if u in units and units[u].is_active],
            reason=r.reason, confidence=r.confidence))
    return out


# Where suggestions come from. Each takes (order, previewed category or None) and returns
# a list of Suggestion.
SUGGESTERS = [responsibility_suggestions, learned_suggestions]


def suggestions_for(order, category: Category | None = None) -> list[Suggestion]:
    """Every suggester's proposals, one per lead + co-handlers + category, the surest
    first. When several sources propose the same thing, the first source's row stays (the
    responsibility list's wording, as before) and the others ride along in ``also`` with
    their own reason and confidence; the row ranks by the surest of them."""
    best: dict[tuple, Suggestion] = {}
    for suggest in SUGGESTERS:
        for s in suggest(order, category):
            key = (s.lead.pk, tuple(sorted(u.pk for u in s.co)),
                   s.category.pk if s.category else None)
            kept = best.get(key)
            if kept is None:
                best[key] = s
            elif str(kept.source) != str(s.source):
                kept.also.append(s)
            elif s.confidence > kept.confidence:
                s.also = kept.also
                best[key] = s
    return sorted(best.values(), key=lambda s: -s.best)


# --- Similar orders ---------------------------------------------------------------


def similar_orders(user, order, limit: int = SIMILAR_LIMIT) -> list[WorkOrder]:
    """Open orders of the last days that look like the same problem: same community and
    category, or the same caller. Each carries ``why`` (the reasons, shown to people)."""
    cond = Q()
    if order.community_id and order.category_id:
        cond |= Q(community_id=order.community_id, category_id=order.category_id)
    if order.citizen_phone and not order.is_anonymous:
        cond |= Q(citizen_phone=order.citizen_phone)
    if not cond:
        return []
    since = clock.now() - timedelta(days=SIMILAR_DAYS)
    rows = list(
        WorkOrder.objects.visible_to(user)
        .filter(cond, created_at__gte=since, state__in=MERGEABLE_STATES,
                master__isnull=True, parent__isnull=True)
        .exclude(pk=order.pk)
        .select_related("lead_unit", "category", "community")
        .order_by("-created_at")[:limit]
    )
    for row in rows:
        # Merging the other order into this one is acting on the other order.
        row.can_merge_in = _may_dispatch(user, row)
        why = []  # (shown, kept in the merge note in Chinese)
        if order.community_id and row.community_id == order.community_id \
                and row.category_id == order.category_id:
            why.append((_("同社区同分类"), "同社区同分类"))
        if order.citizen_phone and row.citizen_phone == order.citizen_phone:
            why.append((_("同一来电号码"), "同一来电号码"))
        row.why = _("、").join(shown for shown, _kept in why)
        row.why_note = "、".join(kept for _shown, kept in why)
    return rows


# --- Pages ------------------------------------------------------------------------


def _neighbour(numbers: list[str], i: int) -> str:
    """The order to open once ``numbers[i]`` is done: the next one, or else the previous."""
    if i + 1 < len(numbers):
        return numbers[i + 1]
    return numbers[i - 1] if i else ""


def _desk_url(tab: str, **params) -> str:
    query = {"tab": tab, **{k: v for k, v in params.items() if v}}
    return reverse("web:dispatch") + "?" + urlencode(query)


@dispatcher_desk
def desk(request):
    user = request.user
    tab = request.GET.get("tab", "queue")
    if tab not in TAB_KEYS:
        tab = "queue"
    everything = request.GET.get("scope") == "all" and sub_centre_of(user) is None
    q = request.GET.get("q", "").strip()[:60]
    urgency = request.GET.get("urgency", "")[:20]
    scope = desk_orders(user, everything=everything)
    filters = {"q": q, "urgency": urgency, "scope": "all" if everything else ""}

    rows, page = _tab_rows(tab, scope, request, q, urgency)
    numbers = [r.number if isinstance(r, WorkOrder) else r.order.number for r in rows]
    chosen = request.GET.get("o", "")[:40] or (numbers[0] if numbers else "")
    where = {**filters, "page": page.number if page.number > 1 else ""}
    for i, row in enumerate(rows):
        row.link = {
            "panel": reverse("web:dispatch-panel", args=[numbers[i]]) + "?" + urlencode(
                {"tab": tab, "after": _neighbour(numbers, i),
                 **{k: v for k, v in where.items() if v}}),
            "push": _desk_url(tab, o=numbers[i], **where),
        }
    after = _neighbour(numbers, numbers.index(chosen)) if chosen in numbers else ""
    panel = _panel_context(request, chosen, tab, after, where) if chosen else None

    return render(request, "web/dispatch/desk.html", {
        "tab": tab, "tabs": _tab_counts(user, everything), "rows": rows, "page": page,
        "filters": filters, "chosen": chosen, "panel": panel,
        "urgencies": list(UrgencyTier.objects.all()),
        "is_centre": sub_centre_of(user) is None,
        "forwarded": _forwarded_count(user) if sub_centre_of(user) is None else 0,
        "page_query": urlencode({"tab": tab, **{k: v for k, v in filters.items() if v}}),
    })


def _tab_rows(tab, scope, request, q, urgency):
    if tab == "queue":
        qs = scope.filter(state=State.REGISTERED)
        if q:
            qs = qs.filter(Q(number=q) | Q(content__icontains=q) | Q(address__icontains=q))
        if urgency:
            qs = qs.filter(urgency__code=urgency)
        qs = qs.select_related("urgency", "request_type", "category", "street", "community",
                               "dispatch_unit").order_by("urgency__sort", "created_at", "pk")
    elif tab == "returns":
        qs = (ReturnRequest.objects.filter(status=ReviewStatus.PENDING,
                                           order__in=scope.filter(state=State.RETURN_REVIEW))
              .select_related("order", "order__urgency", "assignment__unit", "suggested_unit",
                              "requested_by").order_by("requested_at", "pk"))
        if q:
            qs = qs.filter(Q(order__number=q) | Q(reason__icontains=q)
                           | Q(order__content__icontains=q))
    elif tab == "extensions":
        qs = (ExtensionRequest.objects.filter(
                status=ReviewStatus.PENDING,
                order__in=scope.filter(extension_status=ReviewStatus.PENDING,
                                       state__in=EXTENSION_STATES))
              .select_related("order", "order__lead_unit", "order__urgency", "requested_by")
              .order_by("requested_at", "pk"))
        if q:
            qs = qs.filter(Q(order__number=q) | Q(reason__icontains=q))
    else:
        qs = (scope.filter(state=State.DISSATISFIED_REVIEW)
              .select_related("urgency", "reply_unit", "lead_unit").order_by("updated_at", "pk"))
        if q:
            qs = qs.filter(Q(number=q) | Q(content__icontains=q))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    now = clock.now()
    for row in rows:
        order = row if isinstance(row, WorkOrder) else row.order
        since = row.created_at if isinstance(row, WorkOrder) else row.requested_at
        row.waited = span_text(now - since) if since and since < now else _("刚刚")
        order.urgency_tone = URGENCY_TONE.get(order.urgency.code, "muted")
        if isinstance(row, ExtensionRequest):
            row.unit_label = EXTENSION_UNITS.get(row.unit, row.unit)
    return rows, page


def _tab_counts(user, everything: bool) -> list[dict]:
    scope = desk_orders(user, everything=everything)
    counts = scope.filter(
        Q(state__in=[State.REGISTERED, State.RETURN_REVIEW, State.DISSATISFIED_REVIEW])
        | Q(extension_status=ReviewStatus.PENDING, state__in=EXTENSION_STATES)
    ).aggregate(
        queue=Count("pk", filter=Q(state=State.REGISTERED)),
        returns=Count("pk", filter=Q(state=State.RETURN_REVIEW)),
        extensions=Count("pk", filter=Q(extension_status=ReviewStatus.PENDING,
                                        state__in=EXTENSION_STATES)),
        dissatisfied=Count("pk", filter=Q(state=State.DISSATISFIED_REVIEW)),
    )
    return [{"key": key, "label": label, "count": counts[key]} for key, label in TABS]


def _forwarded_count(user) -> int:
    return (WorkOrder.objects.visible_to(user)
            .filter(state=State.REGISTERED, dispatch_unit_id__in=_sub_centre_ids(user)).count())


@dispatcher_desk
def panel(request, number):
    """The side panel for one order (htmx), or the whole desk when opened directly."""
    tab = request.GET.get("tab", "queue")
    filters = {k: request.GET.get(k, "")[:60] for k in ("q", "urgency", "scope", "page")}
    context = _panel_context(request, number, tab if tab in TAB_KEYS else "queue",
                             request.GET.get("after", "")[:40], filters)
    return render(request, "web/dispatch/panel.html", {"panel": context})


def _panel_context(request, number, tab, after, filters) -> dict:
    user = request.user
    try:
        order = access_order(user, number)
    except MinhuError:
        return {"missing": True, "number": number}
    order.urgency_tone = URGENCY_TONE.get(order.urgency.code, "muted")
    ctx = {
        "order": order, "tab": tab, "filters": filters, "after": after,
        "citizen": citizen_view(user, order),
        # Where to land after an action: the same tab, on the next order in the list.
        "next_url": _desk_url(tab, o=after, **filters),
        "stay_url": _desk_url(tab, o=order.number, **filters),
        "panel_url": reverse("web:dispatch-panel", args=[order.number]) + "?" + urlencode(
            {"tab": tab, "after": after, **{k: v for k, v in filters.items() if v}}),
    }
    if order.state == State.REGISTERED:
        ctx["mode"] = "dispatch"
        _dispatch_context(request, order, ctx)
    elif order.state == State.RETURN_REVIEW:
        ctx["mode"] = "return"
        _return_context(order, ctx)
    elif order.state == State.DISSATISFIED_REVIEW:
        ctx["mode"] = "dissatisfied"
        ctx["callbacks"] = list(Callback.objects.filter(order=order, reached=True)
                                .select_related("by").order_by("-at")[:3])
    if order.extension_status == ReviewStatus.PENDING and order.state in EXTENSION_STATES:
        ext = (order.extensions.filter(status=ReviewStatus.PENDING)
               .select_related("requested_by").first())
        if ext is not None:
            ext.unit_label = EXTENSION_UNITS.get(ext.unit, ext.unit)
        ctx["extension"] = ext
        ctx.setdefault("mode", "extension")
    ctx.setdefault("mode", "other")
    return ctx


def _may_dispatch(user, order) -> bool:
    own = sub_centre_of(user)
    return own is None or order.dispatch_unit_id == own.pk


def _dispatch_context(request, order, ctx) -> None:
    user = request.user
    code = request.GET.get("category", "")[:20]
    preview = None
    if code:
        preview = Category.objects.filter(code=code, is_active=True).select_related(
            "parent").first()
        if preview is None:
            ctx["category_error"] = _("诉求分类不存在")
    ctx["preview_category"] = preview
    ctx["suggestions"] = suggestions_for(order, preview)
    top = ctx["suggestions"][0] if ctx["suggestions"] else None
    ctx["top"] = top
    ctx["initial_lead"] = [top.lead] if top else []
    ctx["initial_co"] = list(top.co) if top else []
    ctx["categories"] = _category_groups()
    ctx["urgencies"] = UrgencyTier.objects.all()
    ctx["similar"] = similar_orders(user, order)
    ctx["triage"] = triage_context(order)
    own = sub_centre_of(user)
    if own is None and order.dispatch_unit.kind == UnitKind.CENTRE:
        subs = list(Unit.objects.filter(kind=UnitKind.SUB_CENTRE, is_active=True)
                    .select_related("serves").order_by("path"))
        ctx["sub_centres"] = subs
        ctx["sub_centre_hint"] = next((s.code for s in subs if order.district_id
                                       and s.serves_id == order.district_id), "")


def _percent(value) -> int:
    return round((value or 0) * 100)


def triage_context(order) -> dict | None:
    """What the desk shows of triage besides the routes: the classification (type, both
    category levels, urgency with its share, keyword rules that fired), the place with
    its evidence, review flags, and where H6's duplicate panel loads from."""
    from minhu.catalog.models import RequestType

    found = triage_of(order)
    try:
        duplicates_url = reverse("dedup:panel", args=[order.number])
    except NoReverseMatch:
        duplicates_url = ""
    if found is None:
        return {"failed": True, "duplicates_url": duplicates_url}
    out: dict = {"elapsed_ms": found.elapsed_ms, "duplicates_url": duplicates_url,
                 "flags": found.flags, "classification": None, "place": None}
    c = found.classification
    if c is not None:
        codes = {g.code for g in [*c.categories[:3], *c.first_levels[:1]]}
        cats = {x.code: x for x in Category.objects.filter(code__in=codes)
                .select_related("parent")}
        types = {t.code: t.name for t in RequestType.objects.all()}
        tiers = {t.code: t.name for t in UrgencyTier.objects.all()}
        out["classification"] = {
            "type": c.request_type and {"name": types.get(c.request_type.code,
                                                          c.request_type.code),
                                        "percent": _percent(c.request_type.confidence)},
            "categories": [{"category": cats.get(g.code), "code": g.code,
                            "percent": _percent(g.confidence), "evidence": g.evidence}
                           for g in c.categories[:3]],
            "urgency": c.urgency and {"code": c.urgency.code,
                                      "name": tiers.get(c.urgency.code, c.urgency.code),
                                      "percent": _percent(c.urgency.confidence),
                                      "tone": URGENCY_TONE.get(c.urgency.code, "muted"),
                                      "differs": c.urgency.code != order.urgency.code},
            "rule_hits": c.rule_hits,
        }
    place = found.place
    if place is not None:
        ids = [i for i in (place.district_id, place.street_id, place.community_id,
                           place.grid_id) if i]
        units = Unit.objects.in_bulk(ids)
        named = None
        if place.place_id:
            from minhu.org.models import Place

            named = Place.objects.filter(pk=place.place_id).select_related("parent").first()
        out["place"] = {"chain": [units[i].name for i in ids if i in units],
                        "place": named, "percent": _percent(place.confidence),
                        "evidence": place.evidence}
    return out


def _category_groups() -> list[tuple[Category, list[Category]]]:
    tops, children = [], {}
    for cat in Category.objects.filter(is_active=True).order_by("code"):
        if cat.parent_id is None:
            tops.append(cat)
        else:
            children.setdefault(cat.parent_id, []).append(cat)
    return [(top, children.get(top.pk, [])) for top in tops]


def _return_context(order, ctx) -> None:
    req = (order.returns.filter(status=ReviewStatus.PENDING)
           .select_related("assignment__unit", "suggested_unit", "requested_by").first())
    ctx["request"] = req
    if req is not None:
        ctx["waited"] = span_text(clock.now() - req.requested_at)
    proposal = None
    if req is not None and req.suggested_unit_id and req.suggested_unit.is_active \
            and req.suggested_unit.kind not in DISPATCH_KINDS:
        proposal = req.suggested_unit
        ctx["proposal_reason"] = _("承办单位建议")
    else:
        found = suggestions_for(order)
        returned = req.assignment.unit_id if req is not None else None
        for s in found:
            if s.lead.pk != returned:
                proposal = s.lead
                ctx["proposal_reason"] = s.reason
                break
    ctx["proposal"] = [proposal] if proposal else []
    ctx["assignments"] = order.assignments.select_related("unit").order_by("pk")


# --- Unit search (the picker) -------------------------------------------------------


@desk_for(Role.DISPATCHER, Role.SUPERVISOR, desk=gettext_lazy("单位查询"))
def unit_search(request):
    """Handling units by name or code, for the searchable pickers (htmx)."""
    q = (request.GET.get("uq") or request.GET.get("q") or "").strip()[:40]
    units = []
    if q:
        units = list(
            Unit.objects.filter(is_active=True)
            .exclude(kind__in=DISPATCH_KINDS)
            .filter(Q(name__icontains=q) | Q(code__istartswith=q) | Q(short_name__icontains=q))
            .select_related("parent").order_by("depth", "path")[:20]
        )
    return render(request, "web/dispatch/unit_results.html", {"units": units, "q": q})
