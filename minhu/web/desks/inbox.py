"""承办工作台: a handling unit's orders by state and deadline, with the quick actions a
unit takes on them (sign, reply with attachments, sub-dispatch, report upward, extension,
return, report in). Every action runs through the operations of ``minhu.orders``; the
generic ``act`` endpoint takes the simple forms, the two views here add what a plain
operation form cannot (uploaded files; a return reason built from a category)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Case, Count, F, IntegerField, Q, Value, When
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from minhu.accounts.roles import UNIT_ROLES
from minhu.core.errors import MinhuError, NotFound, ValidationFailed
from minhu.orders.access import access_order
from minhu.orders.actions import do_attach
from minhu.orders.models import Assignment, ReturnRequest, WorkOrder
from minhu.orders.operations import OPERATIONS
from minhu.orders.states import (
    OPEN_STATES,
    AssignmentRole,
    AssignmentState,
    ReviewStatus,
    State,
)
from minhu.orders.transitions import TRANSITIONS
from minhu.org.kinds import (
    DISPATCH_KINDS,
    FUNCTIONAL_KINDS,
    GRASSROOTS_KINDS,
    TERRITORIAL_LEVELS,
    UnitKind,
)
from minhu.org.models import Unit

from ..forms import form_to_schema

PAGE_SIZE = 50
MAX_FILES = 10


class Tab:
    def __init__(self, key: str, label: str, hint: str, state: str | None = None):
        self.key, self.label, self.hint, self.state = key, label, hint, state


TABS = [
    Tab("pending", _("待签收"), _("新派来的工单，请尽快签收；吹哨召集的请报到"),
        AssignmentState.PENDING_SIGN),
    Tab("handling", _("办理中"), _("已签收、正在办理的工单"), AssignmentState.HANDLING),
    Tab("replied", _("已答复待回访"), _("已答复，等待 12345 回访"), AssignmentState.REPLIED),
    Tab("returns", _("退单审核中"), _("已退回或上报，等待派单员审核"), AssignmentState.RETURNED),
    Tab("subs", _("子单"), _("本单位下派给下级单位的子单")),
]
TAB_BY_KEY = {t.key: t for t in TABS}

# The quick actions a unit's part offers, by the part's role and state. This only picks
# the buttons; the operations themselves decide and refuse with a reason.
OFFERS = {
    (AssignmentRole.LEAD, AssignmentState.PENDING_SIGN): ["sign", "request-extension", "return"],
    (AssignmentRole.CO, AssignmentState.PENDING_SIGN): ["sign"],
    (AssignmentRole.SUMMONED, AssignmentState.PENDING_SIGN): ["report-in"],
    (AssignmentRole.LEAD, AssignmentState.HANDLING): [
        "reply", "sub-dispatch", "report-up", "request-extension", "return"],
    (AssignmentRole.CO, AssignmentState.HANDLING): ["reply", "sub-dispatch"],
    (AssignmentRole.SUMMONED, AssignmentState.HANDLING): ["reply", "sub-dispatch"],
}
# Actions answered in one click (a form with a single button).
ONE_CLICK = {"sign": _("签收"), "report-in": _("报到")}
# Actions that open a form panel, with the button label.
PANELS = {
    "reply": _("答复"), "sub-dispatch": _("下派"), "report-up": _("上报"),
    "request-extension": _("申请延期"), "return": _("退单"),
}
RULE_OF = {"report-up": "report_up", "sub-dispatch": "sub_dispatch",
           "request-extension": "request_extension", "report-in": "report_in"}

# Shown in the reader's language; the reason kept with the order always says it in Chinese.
RETURN_REASONS = [
    ("not_duty", _("非本单位职责")),
    ("out_of_area", _("地址不在本单位辖区")),
    ("no_contact", _("信息不全，无法联系诉求人")),
    ("duplicate", _("与已办工单重复")),
    ("other", _("其他原因")),
]


def _is_unit_user(user) -> bool:
    return (user.unit_id is not None and user.unit.kind not in DISPATCH_KINDS
            and user.has_role(*UNIT_ROLES))


def unit_desk(view):
    """Only people of a handling unit work here; others go home with a plain word."""

    @login_required
    def wrapped(request, *args, **kwargs):
        if not _is_unit_user(request.user):
            messages.info(request, _("承办工作台供承办单位人员使用。"))
            return redirect("web:home")
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _tab_of(request, default: str = "pending") -> str:
    key = request.GET.get("tab") or request.POST.get("tab") or default
    return key if key in TAB_BY_KEY else default


def _inbox_url(tab: str) -> str:
    return f"{reverse('web:inbox')}?tab={tab}"


def lower_units(unit: Unit):
    """The units below ``unit`` it may hand a sub-order to: territorial units below a
    territorial unit; a department's own sub-units (never grassroots units)."""
    qs = Unit.objects.subtree_of(unit).filter(is_active=True).exclude(pk=unit.pk)
    if unit.kind in TERRITORIAL_LEVELS:
        qs = qs.filter(kind__in=TERRITORIAL_LEVELS)
    elif unit.kind in FUNCTIONAL_KINDS:
        qs = qs.exclude(kind__in=GRASSROOTS_KINDS)
    return qs.order_by("path")


def suggestion_units():
    """Units a return or upward report may suggest: departments, companies, districts and
    streets (communities and grids are reached through their street)."""
    kinds = [UnitKind.DEPARTMENT, UnitKind.UTILITY, UnitKind.DISTRICT, UnitKind.STREET]
    rows = Unit.objects.filter(is_active=True, kind__in=kinds).order_by("kind", "path")
    groups: dict[str, list] = {}
    for u in rows.only("code", "name", "kind"):
        groups.setdefault(UnitKind.label_of(u.kind), []).append(u)
    return list(groups.items())


def _offers(user, a: Assignment, order: WorkOrder, *, has_lower: bool) -> list[str]:
    out = []
    for name in OFFERS.get((a.role, a.state), []):
        rule = TRANSITIONS.get(RULE_OF.get(name, name))
        if rule is None or order.state not in rule.sources or not user.has_role(*rule.roles):
            continue
        if name == "return" and order.parent_id:
            continue  # a sub-order goes back up by 上报, not by 退单
        if name == "request-extension" and (
                order.extension_status == ReviewStatus.PENDING or order.due_at is None):
            continue
        if name == "sub-dispatch" and not has_lower:
            continue
        out.append(name)
    return out


def _tone_rank():
    """0 red (overdue, or not signed in time), 1 yellow, 2 the rest: the inbox order."""
    return Case(
        When(Q(order__is_overdue=True)
             | Q(is_sign_overdue=True, state=AssignmentState.PENDING_SIGN), then=Value(0)),
        When(order__is_yellow=True, then=Value(1)),
        default=Value(2), output_field=IntegerField(),
    )


@unit_desk
def inbox(request):
    """The unit's orders by state tabs, red and yellow first, then by deadline."""
    user = request.user
    unit = user.unit
    mine = Assignment.objects.filter(unit_id=unit.pk)
    counts = dict.fromkeys(TAB_BY_KEY, 0)
    by_state = {t.state: t.key for t in TABS if t.state}
    for state, n in (mine.filter(state__in=list(by_state)).values_list("state")
                     .annotate(n=Count("pk")).order_by()):
        counts[by_state[state]] = n
    subs = WorkOrder.objects.filter(dispatch_unit_id=unit.pk, parent__isnull=False)
    counts["subs"] = subs.filter(state__in=OPEN_STATES).count()
    default = "pending" if counts["pending"] or not counts["handling"] else "handling"
    tab = TAB_BY_KEY[_tab_of(request, default)]

    if tab.key == "subs":
        qs = (subs.select_related("lead_unit", "urgency", "parent", "category")
              .annotate(open_rank=Case(When(state__in=OPEN_STATES, then=Value(0)),
                                       default=Value(1), output_field=IntegerField()))
              .order_by("open_rank", "-is_overdue", "-is_yellow",
                        F("due_at").asc(nulls_last=True), "-pk"))
    else:
        qs = mine.filter(state=tab.state).select_related(
            "order", "order__urgency", "order__category__parent", "order__request_type",
            "order__community", "order__street", "order__parent", "summoned_by")
        if tab.key in ("replied", "returns"):
            qs = qs.order_by("-order__updated_at", "-pk")
        else:
            qs = qs.annotate(rank=_tone_rank()).order_by(
                "rank", F("order__due_at").asc(nulls_last=True), "pk")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))

    rows = list(page.object_list)
    if tab.key != "subs":
        has_lower = lower_units(unit).exists() if tab.key == "handling" else False
        reasons = {}
        if tab.key == "returns":
            reasons = {r.order_id: r for r in ReturnRequest.objects.filter(
                order_id__in=[a.order_id for a in rows], assignment__unit_id=unit.pk,
                status=ReviewStatus.PENDING).select_related("suggested_unit")}
        for a in rows:
            a.offers = _offers(user, a, a.order, has_lower=has_lower)
            a.one_click = [(n, ONE_CLICK[n]) for n in a.offers if n in ONE_CLICK]
            a.panels = [(n, PANELS[n]) for n in a.offers if n in PANELS]
            a.pending_return = reasons.get(a.order_id)
    return render(request, "web/inbox/inbox.html", {
        "tabs": [(t, counts[t.key]) for t in TABS], "tab": tab, "page": page, "rows": rows,
        "unit": unit, "next": _inbox_url(tab.key),
    })


# --- Action panels -----------------------------------------------------------------


class ReturnForm(forms.Form):
    category = forms.ChoiceField(label=_("退单原因"), choices=RETURN_REASONS,
                                 error_messages={"required": _("请选择退单原因"),
                                                 "invalid_choice": _("请选择退单原因")})
    explanation = forms.CharField(
        label=_("具体说明"), min_length=5, max_length=1000, strip=True,
        error_messages={"required": _("请填写具体说明，便于派单员审核"),
                        "min_length": _("请具体说明理由（至少 5 个字），便于派单员审核"),
                        "max_length": _("说明过长（最多 1000 字）")})
    suggested_unit = forms.CharField(label=_("建议改派单位"), required=False, max_length=40)

    def reason(self) -> str:
        with translation.override(None):  # kept with the order: in Chinese
            label = str(dict(RETURN_REASONS)[self.cleaned_data["category"]])
        return f"【{label}】{self.cleaned_data['explanation']}"


def _panel_context(request, order: WorkOrder, name: str, **extra) -> dict:
    user = request.user
    tab = _tab_of(request, "handling")
    ctx = {"order": order, "name": name, "label": PANELS.get(name, ""), "tab": tab,
           "next": _inbox_url(tab), "user": user}
    if name == "sub-dispatch":
        base = user.unit.depth + 1
        ctx["lower"] = [
            (u.code, "\u3000" * max(u.depth - base, 0) + u.name, u.get_kind_display())
            for u in lower_units(user.unit).only("code", "name", "depth", "kind")]
    if name in ("return", "report-up"):
        ctx["suggestions"] = suggestion_units()
    if name == "return":
        ctx["form"] = extra.pop("form", None) or ReturnForm()
        ctx["reasons"] = RETURN_REASONS
    ctx.update(extra)
    return ctx


def _render_panel(request, ctx, status=200):
    template = "web/inbox/panel.html" if request.headers.get("HX-Request") \
        else "web/inbox/action_page.html"
    return render(request, template, ctx, status=status)


def _not_found(request):
    return render(request, "web/not_found.html", status=404)


@unit_desk
def panel(request, number, name):
    """The form for one quick action, in place under the order's card (htmx) or as a
    page of its own (without script)."""
    if name not in PANELS:
        return _not_found(request)
    try:
        order = access_order(request.user, number)
    except MinhuError:
        return _not_found(request)
    return _render_panel(request, _panel_context(request, order, name))


def _failed(request, text: str, target: str):
    if request.headers.get("HX-Request"):
        response = render(request, "web/partials/flash.html", {"level": "error", "text": text})
        response["HX-Retarget"] = "#flash"
        response["HX-Reswap"] = "innerHTML"
        return response
    messages.error(request, text)
    return redirect(target)


def _succeeded(request, text: str, target: str):
    messages.success(request, text)
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return redirect(target)


@unit_desk
@require_POST
def reply(request, number):
    """Reply with attachments: the files are attached first (a unit may attach only while
    it holds the order), then the reply; if the reply is refused, nothing is kept."""
    user = request.user
    try:
        order = access_order(user, number)
    except MinhuError:
        return _not_found(request)
    target = _inbox_url(_tab_of(request, "handling"))
    back = f"{reverse('web:inbox-panel', args=[number, 'reply'])}?tab={_tab_of(request)}"
    files = request.FILES.getlist("files")
    op = OPERATIONS["reply"]
    saved = []
    try:
        data = form_to_schema(op.schema, request.POST)
        if len(files) > MAX_FILES:
            raise ValidationFailed(_("一次最多上传 %(n)s 个附件") % {"n": MAX_FILES},
                                   code="too_many_files")
        with transaction.atomic():
            for f in files:
                saved.append(do_attach(order, user, f, purpose="reply"))
            result = op.run(order, user, data)
    except MinhuError as exc:
        for att in saved:
            att.file.delete(save=False)
        return _failed(request, exc.message, back)
    if saved:
        done = _("答复成功：%(number)s（附件 %(n)s 个）") % {"number": result.number,
                                                        "n": len(saved)}
    else:
        done = _("答复成功：%(number)s") % {"number": result.number}
    return _succeeded(request, done, target)


@unit_desk
@require_POST
def return_order(request, number):
    """The return form: a reason category and a plain explanation make the reason the
    dispatcher reads; the operation checks and records it."""
    user = request.user
    try:
        order = access_order(user, number)
    except MinhuError:
        return _not_found(request)
    target = _inbox_url(_tab_of(request, "handling"))
    form = ReturnForm(request.POST)
    if not form.is_valid():
        ctx = _panel_context(request, order, "return", form=form)
        if request.headers.get("HX-Request"):
            return render(request, "web/inbox/panel.html", ctx)
        return render(request, "web/inbox/action_page.html", ctx, status=400)
    post = request.POST.copy()
    post["reason"] = form.reason()
    post["suggested_unit"] = form.cleaned_data["suggested_unit"].strip()
    op = OPERATIONS["return"]
    try:
        result = op.run(order, user, form_to_schema(op.schema, post))
    except NotFound:
        return _not_found(request)
    except MinhuError as exc:
        back = f"{reverse('web:inbox-panel', args=[number, 'return'])}?tab={_tab_of(request)}"
        return _failed(request, exc.message, back)
    if result.state != State.RETURN_REVIEW:  # pragma: no cover - the operation's contract
        return _failed(request, _("退单未能提交，请稍后重试"), target)
    return _succeeded(request, _("已退单，等待派单员审核：%(number)s") % {"number": result.number},
                      _inbox_url("returns"))
