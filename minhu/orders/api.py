"""Work orders over HTTP (mounted under ``/api/v1/`` by ``minhu.api``).

* ``POST /orders`` registers (idempotent on ``Idempotency-Key`` or channel + external_id);
* ``GET /orders`` lists what the caller may see; ``GET /orders/{number}`` shows one;
* ``POST /orders/{number}/{operation}``: one endpoint per entry of
  ``operations.OPERATIONS``, each with its own typed body, generated below;
* ``GET /me``, ``/units`` and ``/reference`` serve clients' pickers.

The views only translate HTTP; every rule lives in the ``do_*`` actions.
"""

import ipaddress
from datetime import datetime
from typing import Literal

from django.db.models import F, Q
from django.http import FileResponse, HttpResponse
from ninja import Field, File, Form, Header, Query, Router, Schema, UploadedFile
from ninja.responses import Status

from minhu.accounts.roles import PII_ROLES, Role
from minhu.audit.actions import record
from minhu.catalog.models import CallbackDimension, Category, RequestType, UrgencyTier
from minhu.core.errors import Forbidden, MinhuError, NotFound, ValidationFailed
from minhu.org.kinds import UnitKind
from minhu.org.models import Unit

from . import transitions
from .access import access_order, is_centre
from .actions import do_attach
from .models import WorkOrder
from .operations import OPERATIONS, Operation, RegisterIn, city_time, register
from .serializers import (
    DETAIL_RELATED,
    LIST_RELATED,
    AttachmentOut,
    CodeName,
    ErrorOut,
    OrderDetailOut,
    OrderPageOut,
    UnitRef,
    attachment_out,
    order_detail,
    order_summary,
)
from .states import Channel, State

router = Router(tags=["工单 Orders"])
reference_router = Router(tags=["账号与参考数据 Reference"])

MAX_NUMBER = 40
MAX_DB_INT = 2**63 - 1
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut,
          422: ErrorOut}
# Operation names whose transition-table action is spelled differently.
RULE_OF = {"answer": "answer_directly", "reopen": "citizen_reopen"}


class IdempotencyConflict(MinhuError):
    status = 409
    code = "idempotency_conflict"


# --- Helpers ---------------------------------------------------------------------


def client_ip(request) -> str | None:
    """The peer address, as the WSGI server saw it (proxies must set REMOTE_ADDR)."""
    value = (request.META.get("REMOTE_ADDR") or "").strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def load_order(user, number: str) -> WorkOrder:
    """The order, if ``user`` may see it; missing and not-yours are the same 404."""
    if not number or len(number) > MAX_NUMBER or "\x00" in number:
        raise NotFound()
    return access_order(user, number)


def fresh(order: WorkOrder) -> WorkOrder:
    return WorkOrder.objects.select_related(*DETAIL_RELATED).get(pk=order.pk)


def normalise(data: Schema) -> Schema:
    """Edge checks the typed schemas cannot express: local times, 64-bit integers."""
    for name in type(data).model_fields:
        value = getattr(data, name)
        if isinstance(value, datetime):
            setattr(data, name, city_time(value, name))
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_DB_INT:
            raise ValidationFailed(f"字段 {name} 超出范围", code="validation_failed", field=name)
    return data


def may_search_phone(user) -> bool:
    """Searching by phone is for the desks that contact citizens, like revealing."""
    if not user.has_role(*PII_ROLES):
        return False
    return is_centre(user) or (user.unit_id is not None
                               and user.unit.kind == UnitKind.SUB_CENTRE)


def rule_of(name: str):
    """The transition-table rule behind an operation (None if it has no rule of its own)."""
    return transitions.TRANSITIONS.get(RULE_OF.get(name, name.replace("-", "_")))


def allowed_operations(user) -> list[str]:
    return [name for name in OPERATIONS
            if (rule := rule_of(name)) is not None and user.has_role(*rule.roles)]


# --- Register ---------------------------------------------------------------------


@router.post(
    "/orders", response={201: OrderDetailOut, 200: OrderDetailOut, **ERRORS},
    operation_id="order_register", summary="登记工单 Register an order",
)
def create_order(
    request, response: HttpResponse, payload: RegisterIn,
    idempotency_key: str | None = Header(
        None, alias="Idempotency-Key", max_length=100,
        description="幂等键（最长 100 字符）：同一账号重复提交同一键只生成一张工单"),
):
    """登记一条诉求。同一账号的同一 `Idempotency-Key`，或同一渠道的同一 `external_id`，
    只生成一张工单：首次返回 201，之后返回 200 和同一工单，并带响应头 `Idempotent-Replay: true`。"""
    user = request.auth
    if idempotency_key is not None and "\x00" in idempotency_key:
        raise ValidationFailed("请求头 Idempotency-Key 含有不允许的字符", code="validation_failed")
    order, created = register(user, normalise(payload), idempotency_key=idempotency_key)
    if created:
        return Status(201, order_detail(user, fresh(order)))
    try:
        order = load_order(user, order.number)
    except NotFound:
        raise IdempotencyConflict(
            "该外部编号或幂等键已对应一张您无权查看的工单，请更换后重试") from None
    response["Idempotent-Replay"] = "true"
    return Status(200, order_detail(user, order))


# --- List ---------------------------------------------------------------------------


class OrderFilters(Schema):
    state: str | None = Field(None, max_length=200,
                              description="状态，逗号分隔，如 dispatched,handling")
    channel: str | None = Field(None, max_length=20, description="来源渠道")
    request_type: str | None = Field(None, max_length=20, description="诉求类型编码")
    category: str | None = Field(None, max_length=20, description="分类编码（一级或二级）")
    urgency: str | None = Field(None, max_length=20, description="紧急程度编码")
    district: str | None = Field(None, max_length=40, description="区县编码")
    street: str | None = Field(None, max_length=40, description="街道/乡镇编码")
    community: str | None = Field(None, max_length=40, description="社区/村编码")
    lead_unit: str | None = Field(None, max_length=40, description="主办单位编码")
    is_overdue: bool | None = None
    is_yellow: bool | None = None
    is_supervised: bool | None = None
    created_from: datetime | None = Field(None, description="登记时间起（含），ISO 8601")
    created_to: datetime | None = Field(None, description="登记时间止（不含），ISO 8601")
    q: str | None = Field(None, max_length=100, description="诉求内容包含")
    phone: str | None = Field(None, max_length=32,
                              description="诉求人电话（精确；仅限可查看个人信息的岗位）")
    ordering: Literal["created_at", "-created_at", "due_at", "-due_at"] = "-created_at"
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=1_000_000)


def _codes(raw: str | None) -> list[str]:
    return [c.strip() for c in (raw or "").split(",") if c.strip()]


def filter_orders(user, f: OrderFilters):
    qs = WorkOrder.objects.visible_to(user)
    states = _codes(f.state)
    unknown = [s for s in states if s not in State.values]
    if unknown:
        raise ValidationFailed(f"字段 state 含未知状态“{unknown[0][:24]}”",
                               code="validation_failed", field="state")
    if states:
        qs = qs.filter(state__in=states)
    if f.channel:
        if f.channel not in Channel.values:
            raise ValidationFailed(f"字段 channel 含未知渠道“{f.channel}”",
                                   code="validation_failed", field="channel")
        qs = qs.filter(channel=f.channel)
    if f.request_type:
        qs = qs.filter(request_type__code=f.request_type)
    if f.category:
        qs = qs.filter(Q(category__code=f.category) | Q(category__parent__code=f.category))
    if f.urgency:
        qs = qs.filter(urgency__code=f.urgency)
    for name in ("district", "street", "community", "lead_unit"):
        code = getattr(f, name)
        if code:
            qs = qs.filter(**{f"{name}__code": code})
    for name in ("is_overdue", "is_yellow", "is_supervised"):
        value = getattr(f, name)
        if value is not None:
            qs = qs.filter(**{name: value})
    if f.created_from:
        qs = qs.filter(created_at__gte=city_time(f.created_from, "created_from"))
    if f.created_to:
        qs = qs.filter(created_at__lt=city_time(f.created_to, "created_to"))
    if f.q and f.q.strip():
        qs = qs.filter(content__icontains=f.q.strip())
    if f.phone and f.phone.strip():
        if not may_search_phone(user):
            raise Forbidden("您无权按诉求人电话查询", code="pii_forbidden")
        qs = qs.filter(citizen_phone=f.phone.strip())
    if f.ordering in ("due_at", "-due_at"):
        due = F("due_at").asc(nulls_last=True) if f.ordering == "due_at" \
            else F("due_at").desc(nulls_last=True)
        qs = qs.order_by(due, "-pk")
    else:
        qs = qs.order_by(f.ordering, "-pk" if f.ordering.startswith("-") else "pk")
    return qs


@router.get("/orders", response={200: OrderPageOut, **ERRORS}, operation_id="order_list",
            summary="工单列表 List orders")
def list_orders(request, filters: Query[OrderFilters]):
    """只列出调用者有权查看的工单；诉求人姓名和电话在列表中始终脱敏。分页用 `limit` + `offset`。"""
    user = request.auth
    qs = filter_orders(user, filters)
    count = qs.count()
    start, size = filters.offset, filters.limit
    rows = list(qs.select_related(*LIST_RELATED)[start:start + size]) if start < count else []
    return {
        "count": count,
        "limit": size,
        "offset": start,
        "next_offset": start + size if start + size < count else None,
        "items": [order_summary(user, o) for o in rows],
    }


# --- Detail -------------------------------------------------------------------------


@router.get("/orders/{number}", response={200: OrderDetailOut, **ERRORS},
            operation_id="order_detail", summary="工单详情 Order detail")
def get_order(request, number: str, reveal: bool = Query(
        False, description="为 true 时返回完整姓名和电话（需有权限，并记入审计日志）")):
    """工单全部信息：状态、期限、承办记录、时间线。无权查看与不存在一样返回 404。"""
    user = request.auth
    order = load_order(user, number)
    return order_detail(user, order, reveal=reveal, ip=client_ip(request))


# --- One endpoint per operation --------------------------------------------------------


def _action_view(op: Operation):
    schema = op.schema
    body_required = any(f.is_required() for f in schema.model_fields.values())

    def run(request, response: HttpResponse, number: str, payload):
        user = request.auth
        order = load_order(user, number)
        data = normalise(payload if payload is not None else schema())
        result = op.run(order, user, data)
        if isinstance(result, WorkOrder) and result.pk != order.pk:
            response["Minhu-Created-Order"] = result.number  # e.g. the sub-order
        return order_detail(user, fresh(order))

    if body_required:
        def view(request, response: HttpResponse, number: str, payload: schema):
            return run(request, response, number, payload)
    else:
        def view(request, response: HttpResponse, number: str, payload: schema = None):
            return run(request, response, number, payload)

    slug = op.name.replace("-", "_")
    view.__name__ = f"order_{slug}"
    view.__doc__ = (f"{op.summary}。成功后返回工单的最新详情；状态或角色不允许时返回 409/403，"
                    f"工单不存在或无权查看时返回 404。")
    return view


for _op in OPERATIONS.values():
    router.post(
        f"/orders/{{number}}/{_op.name}", response={200: OrderDetailOut, **ERRORS},
        operation_id=f"order_{_op.name.replace('-', '_')}", summary=_op.summary,
        url_name=f"order-{_op.name}",
    )(_action_view(_op))


# --- Attachments -------------------------------------------------------------------------


@router.post("/orders/{number}/attachments", response={201: AttachmentOut, **ERRORS},
             operation_id="order_attach", summary="上传附件 Attach a file")
def upload_attachment(request, number: str, file: File[UploadedFile],
                      purpose: Form[str] = "handling"):
    """上传图片、PDF、Office 文档或音视频（单个最大 10 MB，每单最多 30 个）。类型按扩展名和文件头
    双重校验。承办单位只能向本单位承办的工单上传。"""
    user = request.auth
    order = load_order(user, number)
    att = do_attach(order, user, file, purpose=purpose[:20])
    return Status(201, attachment_out(att))


@router.get("/orders/{number}/attachments/{attachment_id}", response={**ERRORS},
            operation_id="order_attachment_download", summary="下载附件 Download a file")
def download_attachment(request, number: str, attachment_id: int):
    """可查看工单的人可以下载其附件；每次下载记入审计日志（附件可能含个人信息）。"""
    user = request.auth
    order = load_order(user, number)
    att = order.attachments.filter(pk=attachment_id).first() if 0 < attachment_id < MAX_DB_INT \
        else None
    if att is None or not att.file:
        raise NotFound("附件不存在或您无权查看")
    record(user, "view_attachment", order, fields=f"attachment:{att.pk}", via="api",
           ip=client_ip(request))
    return FileResponse(att.file.open("rb"), as_attachment=True, filename=att.name,
                        content_type=att.content_type or "application/octet-stream")


# --- Who am I, units, reference data ----------------------------------------------------


class UnitOut(Schema):
    code: str
    name: str
    short_name: str
    kind: str
    kind_label: str
    parent: str | None


class RoleOut(Schema):
    code: str
    label: str


class MeUnitOut(UnitRef):
    kind: str
    kind_label: str


class MeOut(Schema):
    username: str
    display_name: str
    unit: MeUnitOut | None
    roles: list[RoleOut]
    auth: Literal["token", "session"]
    operations: list[str] = Field(
        ..., description="按角色可调用的工单操作（仍受工单状态与单位限制）")


def _unit_out(unit: Unit) -> dict:
    return {"code": unit.code, "name": unit.name, "short_name": unit.short_name,
            "kind": unit.kind, "kind_label": UnitKind.label_of(unit.kind),
            "parent": unit.parent.code if unit.parent_id else None}


@reference_router.get("/me", response={200: MeOut, 401: ErrorOut}, operation_id="me",
                      summary="当前账号 Who am I")
def me(request):
    user = request.auth
    unit = user.unit if user.unit_id else None
    return {
        "username": user.username,
        "display_name": str(user),
        "unit": {**_unit_out(unit)} if unit else None,
        "roles": [{"code": r, "label": Role.label_of(r)} for r in sorted(user.roles)],
        "auth": "token" if getattr(request, "api_token", None) else "session",
        "operations": allowed_operations(user),
    }


@reference_router.get("/units", response={200: list[UnitOut], **ERRORS}, operation_id="unit_list",
                      summary="单位列表 Units (for pickers)")
def list_units(
    request,
    kind: str | None = Query(None, max_length=20, description="单位类型，如 street、department"),
    parent: str | None = Query(None, max_length=40, description="上级单位编码（列出其直属下级）"),
    q: str | None = Query(None, max_length=50, description="名称或编码包含"),
    limit: int = Query(200, ge=1, le=1000),
):
    qs = Unit.objects.filter(is_active=True).select_related("parent")
    if kind:
        if kind not in UnitKind.values:
            raise ValidationFailed(f"字段 kind 含未知单位类型“{kind}”", code="validation_failed",
                                   field="kind")
        qs = qs.filter(kind=kind)
    if parent:
        qs = qs.filter(parent__code=parent)
    if q and q.strip():
        qs = qs.filter(Q(name__icontains=q.strip()) | Q(code__icontains=q.strip()))
    return [_unit_out(u) for u in qs.order_by("path")[:limit]]


class RequestTypeOut(CodeName):
    can_answer_directly: bool
    confidential_by_default: bool


class CategoryNodeOut(CodeName):
    children: list[CodeName]


class UrgencyOut(CodeName):
    handle_limit: int
    handle_unit: str
    sign_limit: int
    sign_unit: str
    yellow_ratio: float


class ChoiceOut(Schema):
    code: str
    label: str


class OperationOut(Schema):
    name: str
    summary: str
    path: str


class ReferenceOut(Schema):
    request_types: list[RequestTypeOut]
    categories: list[CategoryNodeOut]
    urgency_tiers: list[UrgencyOut]
    callback_dimensions: list[CodeName]
    states: list[ChoiceOut]
    channels: list[ChoiceOut]
    operations: list[OperationOut]


@reference_router.get("/reference", response={200: ReferenceOut, 401: ErrorOut},
                      operation_id="reference", summary="参考数据 Reference data")
def reference(request):
    """诉求类型、两级分类、紧急程度与时限、回访评价维度、状态、渠道和全部工单操作。"""
    tops: dict[int, dict] = {}
    cats = Category.objects.filter(is_active=True).order_by("sort", "code")
    for c in cats:
        if c.parent_id is None:
            tops[c.pk] = {"code": c.code, "name": c.name, "children": []}
    for c in cats:
        if c.parent_id in tops:
            tops[c.parent_id]["children"].append({"code": c.code, "name": c.name})
    return {
        "request_types": list(RequestType.objects.order_by("sort").values(
            "code", "name", "can_answer_directly", "confidential_by_default")),
        "categories": list(tops.values()),
        "urgency_tiers": [
            {"code": t.code, "name": t.name, "handle_limit": t.handle_limit,
             "handle_unit": t.handle_unit, "sign_limit": t.sign_limit,
             "sign_unit": t.sign_unit, "yellow_ratio": float(t.yellow_ratio)}
            for t in UrgencyTier.objects.order_by("sort")],
        "callback_dimensions": list(CallbackDimension.objects.filter(is_active=True)
                                    .order_by("sort").values("code", "name")),
        "states": [{"code": v, "label": str(label)} for v, label in State.choices],
        "channels": [{"code": v, "label": str(label)} for v, label in Channel.choices
                     if v != Channel.SUB_DISPATCH],
        "operations": [{"name": op.name, "summary": op.summary,
                        "path": f"/api/v1/orders/{{number}}/{op.name}"}
                       for op in OPERATIONS.values()],
    }
