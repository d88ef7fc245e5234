"""工单查询: every role's search over the orders it may see, with saved filters and an
Excel export of the current list.

The search reads the query string leniently: a condition it cannot use (a garbage date,
an unknown state, a phone number the person may not search by) is dropped with a plain
message instead of an error page, so a link or a saved filter never breaks the list.
"""

import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import F, Q
from django.http import FileResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from minhu.audit.actions import record
from minhu.catalog.models import Category, RequestType, UrgencyTier
from minhu.core import clock
from minhu.orders.access import citizen_view
from minhu.orders.api import may_search_phone
from minhu.orders.models import WorkOrder
from minhu.orders.states import UNIT_STATES, Channel, ReviewStatus, Satisfaction, State
from minhu.org.kinds import UnitKind
from minhu.org.models import Unit

from ..models import SavedFilter

PAGE_SIZE = 50
# Counting stops here: "50,000+" is as useful as an exact figure and costs far less.
COUNT_CAP = 50_000
EXPORT_MAX = 50_000
MAX_Q = 100
MAX_WORDS = 5
MAX_SAVED = 30
MAX_VALUE = 100

FLAGS = {
    "overdue": (gettext_lazy("超期（在办）"), Q(is_overdue=True, state__in=UNIT_STATES)),
    "yellow": (gettext_lazy("临期黄灯（在办）"),
               Q(is_yellow=True, is_overdue=False, state__in=UNIT_STATES)),
    "supervised": (pgettext_lazy("badge", "挂牌督办"), Q(is_supervised=True)),
    "reopened": (gettext_lazy("重办过"), Q(reopen_count__gt=0)),
    "unreasonable": (gettext_lazy("不合理诉求"),
                     Q(unreasonable__in=[ReviewStatus.PENDING, ReviewStatus.APPROVED])),
    "escalated": (pgettext_lazy("badge", "提级办理"), Q(is_escalated=True)),
    "was_overdue": (gettext_lazy("曾超期（含已办结）"), Q(is_overdue=True)),
}
SORTS = {
    "-created": (gettext_lazy("登记时间（新→旧）"), ("-created_at", "-pk")),
    "created": (gettext_lazy("登记时间（旧→新）"), ("created_at", "pk")),
    "due": (gettext_lazy("办理期限（近→远）"), (F("due_at").asc(nulls_last=True), "pk")),
    "-due": (gettext_lazy("办理期限（远→近）"), (F("due_at").desc(nulls_last=True), "-pk")),
    "-updated": (gettext_lazy("最近更新"), ("-updated_at", "-pk")),
}
DEFAULT_SORT = "-created"
# The query-string keys the search understands (anything else is ignored).
KEYS = ("q", "number", "state", "flag", "channel", "type", "category", "urgency",
        "district", "street", "community", "lead", "created_from", "created_to",
        "due_from", "due_to", "phone", "sort")
MULTI = {"state", "flag"}
UNIT_FIELDS = {
    "district": (gettext_lazy("区县"), "district_id", [UnitKind.DISTRICT]),
    "street": (gettext_lazy("街道/乡镇"), "street_id", [UnitKind.STREET]),
    "community": (gettext_lazy("社区/村"), "community_id", [UnitKind.COMMUNITY]),
    "lead": (gettext_lazy("主办单位"), "lead_unit_id", None),
}
DATE_FIELDS = {
    "created": (gettext_lazy("登记日期"), "created_at"),
    "due": (gettext_lazy("办理期限"), "due_at"),
}


def _clean(value: str) -> str:
    """One query-string value, without control characters (PostgreSQL refuses NUL)."""
    return "".join(ch for ch in str(value) if ch >= " " or ch == "\t").strip()


def _values(params, key: str) -> list[str]:
    out = []
    for raw in params.getlist(key)[:20]:
        out.extend(v for v in (_clean(x) for x in raw.split(",")) if v)
    return out[:20]


def _date(raw: str) -> date | None:
    try:
        day = date.fromisoformat(raw[:10])
    except ValueError:
        return None
    return day if 2000 <= day.year <= 2100 else None


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


@dataclass
class Search:
    """A parsed search: the conditions, what the form shows, and what was left out."""

    form: dict = field(default_factory=dict)
    conditions: list = field(default_factory=list)
    chips: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    sort: str = DEFAULT_SORT
    pairs: list = field(default_factory=list)  # the kept query string, for links

    @property
    def querystring(self) -> str:
        return urlencode(self.pairs)

    @property
    def is_filtered(self) -> bool:
        return bool(self.conditions)


def parse(user, params) -> Search:
    s = Search()
    # Full text over content, title and address: every word must appear in one of them.
    q = _clean(params.get("q", ""))
    if len(q) > MAX_Q:
        s.notes.append(gettext("查询词过长，只按前 %(n)s 个字查询") % {"n": MAX_Q})
        q = q[:MAX_Q]
    s.form["q"] = q
    words = q.split()
    if len(words) > MAX_WORDS:
        s.notes.append(gettext("最多按 %(n)s 个词查询，其余已忽略") % {"n": MAX_WORDS})
        words = words[:MAX_WORDS]
    for w in words:
        s.conditions.append(Q(content__icontains=w) | Q(title__icontains=w)
                            | Q(address__icontains=w))
    if words:
        s.chips.append(gettext("包含：%(words)s") % {"words": " ".join(words)})

    number = _clean(params.get("number", ""))[:40].upper()
    s.form["number"] = number
    if number:
        s.conditions.append(Q(number=number))
        s.chips.append(gettext("编号：%(number)s") % {"number": number})

    _choice_list(s, _values(params, "state"), "state", gettext("状态"), dict(State.choices),
                 lambda v: Q(state__in=v))
    _choice_list(s, _values(params, "flag"), "flag", gettext("标记"),
                 {k: label for k, (label, _) in FLAGS.items()},
                 lambda v: _all(FLAGS[k][1] for k in v))

    channel = _clean(params.get("channel", ""))
    s.form["channel"] = ""
    if channel:
        if channel in Channel.values:
            s.form["channel"] = channel
            s.conditions.append(Q(channel=channel))
            s.chips.append(gettext("渠道：%(channel)s") % {"channel": Channel.label_of(channel)})
        else:
            s.notes.append(gettext("来源渠道条件无效，已忽略"))

    _lookup(s, params, "type", gettext("诉求类型"),
            {t.code: t for t in RequestType.objects.all()}, "request_type_id")
    _lookup(s, params, "urgency", gettext("紧急程度"),
            {t.code: t for t in UrgencyTier.objects.all()}, "urgency_id")
    _category(s, params)
    for key in UNIT_FIELDS:
        _unit(s, params, key)
    for key in DATE_FIELDS:
        _range(s, params, key)

    phone = _clean(params.get("phone", ""))[:32].replace(" ", "")
    s.form["phone"] = ""
    if phone:
        if may_search_phone(user):
            s.form["phone"] = phone
            s.conditions.append(Q(citizen_phone=phone))
            s.chips.append(gettext("按诉求人电话"))
        else:
            s.notes.append(gettext("按诉求人电话查询仅限 12345 中心的话务、派单、回访和督办岗位，"
                                   "已忽略该条件"))

    sort = _clean(params.get("sort", "")) or DEFAULT_SORT
    if sort not in SORTS:
        s.notes.append(gettext("排序方式无效，已按登记时间排序"))
        sort = DEFAULT_SORT
    s.sort = s.form["sort"] = sort
    # The conditions kept, as the query string of links, exports and saved filters.
    for key in KEYS:
        value = s.form.get(key)
        if key == "sort" and value == DEFAULT_SORT:
            continue
        for v in value if isinstance(value, list) else [value]:
            if v:
                s.pairs.append((key, v))
    return s


def _all(qs):
    out = Q()
    for q in qs:
        out &= q
    return out


def _choice_list(s: Search, values, key, what, labels: dict, make) -> None:
    known = [v for v in dict.fromkeys(values) if v in labels]
    if len(known) < len(set(values)):
        s.notes.append(gettext("%(what)s条件中有无法识别的值，已忽略") % {"what": what})
    s.form[key] = known
    if known:
        s.conditions.append(make(known))
        s.chips.append(gettext("%(what)s：%(values)s") % {
            "what": what, "values": gettext("、").join(str(labels[v]) for v in known)})


def _lookup(s: Search, params, key, what, by_code: dict, column: str) -> None:
    code = _clean(params.get(key, ""))[:MAX_VALUE]
    s.form[key] = ""
    if not code:
        return
    item = by_code.get(code)
    if item is None:
        s.notes.append(gettext("%(what)s“%(code)s”不存在，已忽略该条件") % {
            "what": what, "code": code[:20]})
        return
    s.form[key] = code
    s.conditions.append(Q(**{column: item.pk}))
    s.chips.append(gettext("%(what)s：%(values)s") % {"what": what, "values": item.name})


def _category(s: Search, params) -> None:
    code = _clean(params.get("category", ""))[:MAX_VALUE]
    s.form["category"] = ""
    if not code:
        return
    cat = Category.objects.filter(code=code).first()
    if cat is None:
        s.notes.append(gettext("%(what)s“%(code)s”不存在，已忽略该条件") % {
            "what": gettext("分类"), "code": code[:20]})
        return
    s.form["category"] = code
    ids = [cat.pk]
    if cat.parent_id is None:  # a first-level category covers its second level
        ids += list(Category.objects.filter(parent=cat).values_list("pk", flat=True))
    s.conditions.append(Q(category_id__in=ids))
    s.chips.append(gettext("%(what)s：%(values)s") % {"what": gettext("分类"),
                                                    "values": cat.name})


def _unit(s: Search, params, key) -> None:
    what, column, kinds = UNIT_FIELDS[key]
    value = _clean(params.get(key, ""))[:MAX_VALUE]
    s.form[key] = value
    if not value:
        return
    units = Unit.objects.filter(Q(code=value) | Q(name=value))
    if kinds:
        units = units.filter(kind__in=kinds)
    found = list(units.values_list("pk", "name")[:20])
    if not found:
        s.notes.append(gettext("找不到%(what)s“%(value)s”，已忽略该条件") % {
            "what": what, "value": value[:20]})
        s.form[key] = ""
        return
    s.conditions.append(Q(**{f"{column}__in": [pk for pk, _ in found]}))
    s.chips.append(gettext("%(what)s：%(values)s") % {"what": what, "values": found[0][1]})


def _range(s: Search, params, key) -> None:
    what, column = DATE_FIELDS[key]
    for end in ("from", "to"):
        raw = _clean(params.get(f"{key}_{end}", ""))
        s.form[f"{key}_{end}"] = ""
        if not raw:
            continue
        day = _date(raw)
        if day is None:
            s.notes.append(gettext("%(what)s“%(value)s”不是有效日期（格式如 2025-10-01），已忽略")
                           % {"what": what, "value": raw[:20]})
            continue
        s.form[f"{key}_{end}"] = day.isoformat()
        if end == "from":
            s.conditions.append(Q(**{f"{column}__gte": _local_midnight(day)}))
            s.chips.append(gettext("%(what)s自 %(day)s") % {"what": what,
                                                            "day": f"{day:%Y-%m-%d}"})
        else:
            s.conditions.append(Q(**{f"{column}__lt": _local_midnight(day + timedelta(days=1))}))
            s.chips.append(gettext("%(what)s至 %(day)s") % {"what": what,
                                                            "day": f"{day:%Y-%m-%d}"})


def search_queryset(user, s: Search):
    qs = WorkOrder.objects.visible_to(user)
    for cond in s.conditions:
        qs = qs.filter(cond)
    return qs.order_by(*SORTS[s.sort][1])


CHOICES_TTL = 60  # seconds: a new unit or category shows in the pickers within a minute


def _choice_data() -> dict:
    """The pickers' options as plain (value, label) pairs, cached briefly: they change only
    when an administrator edits the org tree or the taxonomy."""

    def build():
        units = list(Unit.objects.filter(kind__in=[UnitKind.DISTRICT, UnitKind.STREET],
                                         is_active=True).order_by("path")
                     .values_list("pk", "code", "name", "kind", "parent_id"))
        districts = [(code, name) for _, code, name, kind, _ in units
                     if kind == UnitKind.DISTRICT]
        streets = [(name, [(c, n) for _, c, n, k, parent in units
                           if k == UnitKind.STREET and parent == pk])
                   for pk, _, name, kind, _ in units if kind == UnitKind.DISTRICT]
        cats = list(Category.objects.order_by("sort", "code")
                    .values_list("pk", "code", "name", "parent_id"))
        categories = [(name, [(code, gettext("%(name)s（整类）") % {"name": name})]
                       + [(c, n) for _, c, n, parent in cats if parent == pk])
                      for pk, code, name, parent_id in cats if parent_id is None]
        lead_kinds = [UnitKind.DEPARTMENT, UnitKind.UTILITY, UnitKind.DISTRICT, UnitKind.STREET]
        return {
            "type": list(RequestType.objects.values_list("code", "name")),
            "urgency": list(UrgencyTier.objects.values_list("code", "name")),
            "channel": [(str(v), str(label)) for v, label in Channel.choices],
            "sort": [(k, str(v[0])) for k, v in SORTS.items()],
            "district": districts, "street": streets, "category": categories,
            "communities": list(Unit.objects.filter(kind=UnitKind.COMMUNITY, is_active=True)
                                .order_by("path").values_list("code", "name")),
            "leads": list(Unit.objects.filter(kind__in=lead_kinds, is_active=True)
                          .order_by("kind", "path").values_list("code", "name")),
        }

    # Labels are in the reader's language: one cached copy per language.
    return cache.get_or_set(f"minhu:web:search-choices:{get_language()}", build, CHOICES_TTL)


ALL = gettext_lazy("全部")


def _options(pairs, selected, *, blank: str | None = ALL) -> str:
    """``<option>``s (with ``<optgroup>``s for (label, pairs) groups), the selected one
    marked; built in Python because a template loop over hundreds of options is slow."""
    out = [f'<option value="">{escape(blank)}</option>'] if blank is not None else []
    for value, label in pairs:
        if isinstance(label, list):
            out.append(f'<optgroup label="{escape(value)}">{_options(label, selected, blank=None)}'
                       "</optgroup>")
        else:
            mark = " selected" if value == selected else ""
            out.append(f'<option value="{escape(value)}"{mark}>{escape(label)}</option>')
    return "".join(out)


def _pickers(form: dict) -> dict:
    data = _choice_data()
    html = {f"opt_{key}": mark_safe(_options(data[key], form.get(key, "")))
            for key in ("type", "urgency", "channel", "district", "street", "category")}
    html["opt_sort"] = mark_safe(_options(data["sort"], form.get("sort"), blank=None))
    html["datalists"] = mark_safe("".join(
        f'<datalist id="{ident}">{_options(data[key], None, blank=None)}</datalist>'
        for ident, key in (("dl-communities", "communities"), ("dl-leads", "leads"))))
    html["states"] = State.choices
    html["flags"] = [(k, v[0]) for k, v in FLAGS.items()]
    return html


@login_required
def orders(request):
    """The list: filters, saved filters, 50 a page, newest first unless asked."""
    user = request.user
    s = parse(user, request.GET)
    for note in s.notes:
        messages.warning(request, note)
    qs = search_queryset(user, s)
    total = qs.order_by()[:COUNT_CAP + 1].count()
    capped = total > COUNT_CAP
    total = min(total, COUNT_CAP)
    pages = max(1, -(-total // PAGE_SIZE))
    try:
        page = min(max(int(request.GET.get("page", "1")), 1), pages)
    except (TypeError, ValueError):
        page = 1
    start = (page - 1) * PAGE_SIZE
    rows = list(qs.select_related("category__parent", "lead_unit", "street", "community", "urgency")
                [start:start + PAGE_SIZE]) if total else []
    ctx = {
        "s": s, "form": s.form, "rows": rows, "total": total, "capped": capped,
        "page": page, "pages": pages, "has_prev": page > 1, "has_next": page < pages,
        "qs": s.querystring, "may_phone": may_search_phone(user),
        "saved": SavedFilter.objects.filter(user=user),
        "export_max": f"{EXPORT_MAX:,}", "unit_states": [str(v) for v in UNIT_STATES],
        "advanced": any(s.form.get(k) for k in KEYS if k not in ("q", "number", "sort")),
    }
    ctx.update(_pickers(s.form))
    return render(request, "web/search/list.html", ctx)


# --- Saved filters ---------------------------------------------------------------------


def clean_querystring(user, raw: str) -> str:
    """The conditions of ``raw`` the search can use, re-encoded (never a raw string from a
    form): what a saved filter keeps."""
    return parse(user, QueryDict(_clean(raw).lstrip("?")[:4000])).querystring


@login_required
@require_POST
def save_filter(request):
    user = request.user
    name = _clean(request.POST.get("name", ""))[:40]
    querystring = clean_querystring(user, request.POST.get("querystring", ""))
    back = reverse("web:orders") + (f"?{querystring}" if querystring else "")
    if not name:
        messages.error(request, gettext("请给常用查询起个名字"))
        return redirect(back)
    if len(querystring) > 2000:
        messages.error(request, gettext("查询条件过长，无法保存"))
        return redirect(back)
    mine = SavedFilter.objects.filter(user=user)
    if not mine.filter(name=name).exists() and mine.count() >= MAX_SAVED:
        messages.error(request, gettext("常用查询最多保存 %(n)s 个，请先删除不再使用的")
                       % {"n": MAX_SAVED})
        return redirect(back)
    SavedFilter.objects.update_or_create(user=user, name=name,
                                         defaults={"querystring": querystring})
    messages.success(request, gettext("已保存常用查询“%(name)s”") % {"name": name})
    return redirect(back)


@login_required
@require_POST
def delete_filter(request, pk):
    deleted, _ = SavedFilter.objects.filter(pk=pk, user=request.user).delete()
    if deleted:
        messages.success(request, gettext("已删除常用查询"))
    else:
        messages.error(request, gettext("该常用查询不存在或已删除"))
    return redirect("web:orders")


# --- Excel export ----------------------------------------------------------------------

COLUMNS = [
    # header, width, value source
    (gettext_lazy("工单编号"), 20, "number"),
    (gettext_lazy("状态"), 11, "state"),
    (gettext_lazy("来源渠道"), 10, "channel"),
    (gettext_lazy("诉求类型"), 8, "request_type__name"),
    (gettext_lazy("一级分类"), 14, "l1"),
    (gettext_lazy("二级分类"), 16, "l2"),
    (gettext_lazy("紧急程度"), 8, "urgency__name"),
    (gettext_lazy("标题"), 20, "title"),
    (gettext_lazy("诉求内容"), 60, "content"),
    (gettext_lazy("地址"), 28, "address"),
    (gettext_lazy("区县"), 10, "district__name"),
    (gettext_lazy("街道/乡镇"), 14, "street__name"),
    (gettext_lazy("社区/村"), 14, "community__name"),
    (gettext_lazy("主办单位"), 18, "lead_unit__name"),
    (gettext_lazy("诉求人"), 9, "citizen"),
    (gettext_lazy("联系电话（脱敏）"), 15, "phone"),
    (gettext_lazy("登记时间"), 17, "created_at"),
    (gettext_lazy("派单时间"), 17, "dispatched_at"),
    (gettext_lazy("办理期限"), 17, "due_at"),
    (gettext_lazy("答复时间"), 17, "replied_at"),
    (gettext_lazy("办结时间"), 17, "closed_at"),
    (gettext_lazy("超期"), 6, "is_overdue"),
    (pgettext_lazy("badge", "挂牌督办"), 9, "is_supervised"),
    (gettext_lazy("重办次数"), 9, "reopen_count"),
    (gettext_lazy("答复内容"), 50, "reply_text"),
    (gettext_lazy("回访满意度"), 11, "satisfaction"),
]
FIELDS = ["number", "state", "channel", "request_type__name", "category__name",
          "category__parent__name", "urgency__name", "title", "content", "address",
          "district__name", "street__name", "community__name", "lead_unit__name",
          "citizen_name", "citizen_phone", "is_anonymous", "is_confidential", "created_at",
          "dispatched_at", "due_at", "replied_at", "closed_at", "is_overdue", "is_supervised",
          "reopen_count", "reply_text", "satisfaction"]
TIME_FIELDS = ("created_at", "dispatched_at", "due_at", "replied_at", "closed_at")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _text(ws, value):
    """A string cell that Excel shows as typed: no control characters, never a formula."""
    value = ILLEGAL_CHARACTERS_RE.sub("", value or "")[:32000]
    if value.startswith("="):
        cell = WriteOnlyCell(ws, value=value)
        cell.data_type = "s"
        return cell
    return value


def _row(ws, user, r: dict, states, channels, satisfactions, yes: str = "是") -> list:
    person = citizen_view(user, SimpleNamespace(
        is_confidential=r["is_confidential"], is_anonymous=r["is_anonymous"],
        citizen_name=r["citizen_name"], citizen_phone=r["citizen_phone"]))
    parent = r["category__parent__name"]
    values = {
        "state": states.get(r["state"], r["state"]),
        "channel": channels.get(r["channel"], r["channel"]),
        "l1": parent or r["category__name"] or "", "l2": r["category__name"] if parent else "",
        "citizen": person["name"], "phone": person["phone"],
        "is_overdue": yes if r["is_overdue"] else "",
        "is_supervised": yes if r["is_supervised"] else "",
        "satisfaction": satisfactions.get(r["satisfaction"], ""),
    }
    for name in TIME_FIELDS:
        value = r[name]
        values[name] = timezone.localtime(value).replace(tzinfo=None, microsecond=0) \
            if value else None
    out = []
    for _, _, source in COLUMNS:
        value = values[source] if source in values else r[source]
        out.append(_text(ws, value) if isinstance(value, str) else value)
    return out


def build_workbook(user, qs, out) -> int:
    """Write the rows of ``qs`` to ``out`` as an .xlsx (write-only, row by row); returns the
    number of rows."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(gettext("工单"))
    ws.freeze_panes = "A2"
    for i, (_, width, _) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    bold, fill = Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="102A43")
    header = []
    for title, _, _ in COLUMNS:
        cell = WriteOnlyCell(ws, value=str(title))
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(vertical="center")
        header.append(cell)
    ws.append(header)
    # Labels as plain strings in the reader's language (openpyxl takes no lazy text).
    states = {v: str(label) for v, label in State.choices}
    channels = {v: str(label) for v, label in Channel.choices}
    satisfactions = {v: str(label) for v, label in Satisfaction.choices}
    yes = gettext("是")
    n = 0
    for r in qs.values(*FIELDS).iterator(chunk_size=2000):
        ws.append(_row(ws, user, r, states, channels, satisfactions, yes))
        n += 1
    wb.save(out)
    return n


@login_required
def export(request):
    """The current list as an Excel file (phones masked), up to 50,000 rows."""
    user = request.user
    s = parse(user, request.GET)
    back = reverse("web:orders") + (f"?{s.querystring}" if s.querystring else "")
    qs = search_queryset(user, s)
    if qs.order_by()[:EXPORT_MAX + 1].count() > EXPORT_MAX:
        messages.error(request, gettext("当前查询结果超过 %(n)s 条，无法一次导出。"
                                        "请缩小查询范围（例如按登记日期分段）后再导出。")
                       % {"n": f"{EXPORT_MAX:,}"})
        return redirect(back)
    out = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it when sent)
    n = build_workbook(user, qs, out)
    out.seek(0)
    record(user, "export_orders", user, fields=f"{n} 行 {s.querystring}"[:200], via="web",
           ip=request.META.get("REMOTE_ADDR") or None)
    stamp = timezone.localtime(clock.now()).strftime("%Y%m%d-%H%M")
    name = gettext("工单查询")
    return FileResponse(out, as_attachment=True, filename=f"{name}-{stamp}.xlsx",
                        content_type=XLSX)
