"""The partner API (mounted at ``/api/v1/partner/`` by ``minhu.api``); see
docs/api-partners.md.

* ``POST /requests`` files a request under the partner's own id: 201 the first time, 200
  with the same order on a replay, 409 when the id was used for different content;
* ``GET /requests/{partner_id}`` and ``GET /requests`` show the partner's own orders.

Keys carry the ``intake`` scope: a staff key is refused here and a partner key is refused
by the staff API. The create view reads the body itself, so that whatever arrives is
stored raw before any parsing and a malformed payload stays available for inspection.
"""

import base64
import binascii
from datetime import datetime

from django.core.exceptions import RequestDataTooBig
from django.db.models import Q
from django.http import HttpResponse
from django.utils.dateparse import parse_datetime
from ninja import Field as F
from ninja import Header, Query, Router, Schema
from ninja.responses import Status

from minhu.accounts.models import Scope
from minhu.core.errors import Forbidden, MinhuError, NotFound, ValidationFailed
from minhu.intake.actions import receive
from minhu.orders.access import visible_orders
from minhu.orders.states import State

from .actions import partner_of, submit
from .edge import THEIR_ID, EdgeError, PartnerRequestIn
from .models import PartnerRequest
from .views_api import PartnerOrderOut, PartnerPageOut, partner_view

router = Router(tags=["合作方 Partners"])

# minhu.api mounts this router when it is imported, so it is imported after the router
# exists: importing this module first must not fail on the cycle.
from minhu.api import TokenAuth, error_response  # noqa: E402
from minhu.orders.api import client_ip  # noqa: E402
from minhu.orders.serializers import ErrorOut  # noqa: E402

AUTH = TokenAuth(scope=Scope.INTAKE)
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut,
          413: ErrorOut, 422: ErrorOut}
PAGE_DEFAULT = 50
PAGE_MAX = 200
# Bytes of an over-limit body kept for inspection (the rest is not read).
KEEP_OF_OVERSIZED = 200_000


def _partner(request):
    partner = partner_of(request.auth)
    if partner is None:
        raise Forbidden("该密钥不属于任何已启用的合作方", code="not_a_partner")
    return partner


def _printable(value) -> str:
    return str(value or "").replace("\x00", "")[:120]


def _read_body(request) -> tuple[bytes, bool]:
    try:
        return request.body, False
    except RequestDataTooBig:
        return request.read(KEEP_OF_OVERSIZED), True


@router.post(
    "/requests", auth=AUTH, response={201: PartnerOrderOut, 200: PartnerOrderOut, **ERRORS},
    operation_id="partner_request_create", summary="提交诉求 File a request",
    openapi_extra={"requestBody": {"required": True, "content": {
        "application/json": {"schema": PartnerRequestIn.model_json_schema()}}}},
)
def create_request(request, response: HttpResponse,
                   partner_request_id: str | None = Header(
                       None, alias="X-Partner-Request-Id",
                       description="合作方自己的编号（与字段 partner_id 二选一）")):
    """以合作方自己的编号幂等提交诉求：首次 201；同一编号、同一内容再次提交返回 200 和
    同一工单（响应头 `Idempotent-Replay: true`）；同一编号、不同内容返回 409。"""
    partner = _partner(request)
    body, too_big = _read_body(request)
    header_id = (partner_request_id or "").strip()
    meta = {"api": "partner", "content_length": _printable(request.META.get("CONTENT_LENGTH"))}
    if too_big:
        meta["oversized"] = True
    kept = body
    if b"\x00" in body:
        # PostgreSQL text cannot hold NUL: keep it visible as an escape instead.
        kept, meta["nul_escaped"] = body.replace(b"\x00", b"\\x00"), True
    raw = receive(
        partner.channel, body=kept, source=partner.code,
        external_id=header_id if THEIR_ID.match(header_id) else "",
        content_type=_printable(request.META.get("CONTENT_TYPE")),
        remote_addr=client_ip(request), meta=meta)
    try:
        order, created, their_id = submit(partner, raw, body, partner_request_id,
                                          too_big=too_big)
    except (EdgeError, MinhuError) as exc:
        # Every refusal names the stored payload, for the partner to quote when asking.
        return error_response(exc.status, exc.code, exc.message,
                              {"raw_id": raw.pk, **exc.details})
    view = partner_view(order, their_id)
    if created:
        return Status(201, view)
    response["Idempotent-Replay"] = "true"
    return Status(200, view)


def _own(partner):
    """The partner's own orders, through the platform's access rules."""
    orders = visible_orders(partner.account)
    return (PartnerRequest.objects.filter(partner=partner, order__in=orders)
            .select_related("order", "order__reply_unit"))


@router.get("/requests/{partner_id}", auth=AUTH, response={200: PartnerOrderOut, **ERRORS},
            operation_id="partner_request_show", summary="查询诉求 Show a request")
def show_request(request, partner_id: str):
    """按合作方编号查询本合作方提交的诉求（别的合作方的编号与不存在一样返回 404）。"""
    partner = _partner(request)
    if not THEIR_ID.match(partner_id or ""):
        raise NotFound("诉求不存在", code="not_found")
    found = _own(partner).filter(their_id=partner_id).first()
    if found is None:
        raise NotFound("诉求不存在", code="not_found")
    return partner_view(found.order, found.their_id)


class ListFilters(Schema):
    since: datetime | None = F(None, description="只列出此时间之后有变化的诉求（ISO 8601）")
    state: str | None = F(None, max_length=300,
                          description="状态编码，多个用逗号分隔，如 replied,closed")
    cursor: str | None = F(None, max_length=200, description="上一页返回的 next_cursor")
    limit: int = F(PAGE_DEFAULT, ge=1, le=PAGE_MAX)


def _encode_cursor(updated_at: datetime, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{updated_at.isoformat()}|{pk}".encode()).decode()


def _decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        stamp, pk = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        moment = parse_datetime(stamp)
        if moment is None:
            raise ValueError(stamp)
        return moment, int(pk)
    except (ValueError, binascii.Error, UnicodeError):
        raise ValidationFailed("分页游标无效，请使用上一页返回的 next_cursor",
                               code="bad_cursor") from None


@router.get("/requests", auth=AUTH, response={200: PartnerPageOut, **ERRORS},
            operation_id="partner_request_list", summary="诉求列表 List requests")
def list_requests(request, filters: Query[ListFilters]):
    """本合作方的诉求，按最后变化时间排序（先旧后新），适合增量同步：保存最后一页的
    `next_cursor`，或用 `since` 取某时刻之后有变化的诉求。"""
    from minhu.orders.operations import city_time

    partner = _partner(request)
    qs = _own(partner)
    if filters.since is not None:
        qs = qs.filter(order__updated_at__gte=city_time(filters.since, "since"))
    if filters.state:
        states = [s.strip() for s in filters.state.split(",") if s.strip()]
        unknown = [s for s in states if s not in State.values]
        if unknown:
            raise ValidationFailed(
                f"未知的状态 {unknown[0][:30]}；可用：{', '.join(State.values)}",
                code="bad_state")
        qs = qs.filter(order__state__in=states)
    if filters.cursor:
        moment, pk = _decode_cursor(filters.cursor)
        qs = qs.filter(Q(order__updated_at__gt=moment)
                       | Q(order__updated_at=moment, order_id__gt=pk))
    rows = list(qs.order_by("order__updated_at", "order_id")[:filters.limit + 1])
    more = len(rows) > filters.limit
    rows = rows[:filters.limit]
    cursor = _encode_cursor(rows[-1].order.updated_at, rows[-1].order_id) if more else None
    return {"items": [partner_view(r.order, r.their_id) for r in rows], "next_cursor": cursor}
