"""The province's side of the exchange (mounted at ``/api/v1/province/``), for the
provincial 12345 platform only: a token with scope ``province``.

* ``POST /orders``: push an order down (idempotent on ``province_no``: 201 the first
  time, 200 with the same order afterwards);
* ``GET /orders/{province_no}``: where the order stands, in the province's codes;
* ``GET /orders/{province_no}/updates``: every update made for it, as pushed (for the
  province to reconcile after an outage of its own; normally the outbox pushes them).

The body is read here rather than by the API's JSON parser so that every push that got
past authentication is stored raw first, even one in GBK or not JSON at all.
"""

from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.responses import Status

from minhu.accounts.models import Scope
from minhu.api import TokenAuth
from minhu.core.errors import NotFound
from minhu.orders.api import client_ip
from minhu.orders.serializers import ErrorOut
from minhu.outbox.models import DeliveryStatus

from .codes import status_of
from .health import province_deliveries
from .inbound import NUMBER, handle_push
from .models import ProvinceOrder

router = Router(tags=["省级平台 Province"], auth=TokenAuth(scope=Scope.PROVINCE))

ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 413: ErrorOut, 422: ErrorOut}

PUSH_EXAMPLE = {
    "province_no": "GS202611210001",
    "deadline": "2026-11-28T18:00:00+08:00",
    "title": "烧烤店油烟扰民",
    "content": "锦绣家园3号楼下烧烤店油烟和噪音扰民，晚上十二点还在营业",
    "type_code": "03", "category_code": "0802", "urgency_code": "1",
    "citizen": {"name": "张晓梅", "phone": "13812345678", "anonymous": False},
    "address": "云州市东城区锦绣家园3号楼", "lat": 37.71, "lng": 112.73,
}


class ProvinceOrderOut(Schema):
    province_no: str
    city_no: str | None = Field(None, description="本市工单编号")
    created: bool | None = Field(None, description="本次推送是否新建了工单")
    status: str = Field(..., description="省级状态码（01 已受理 … 07 已办结）")
    status_name: str
    province_due_at: str = Field(..., description="省级办理期限")
    city_due_at: str | None = Field(None, description="本市承办单位的内部期限")
    needs_review: bool = Field(..., description="有省级编码未能对照，已按默认值登记待派单员核对")
    unmapped: list[dict] = Field(default_factory=list)


def _out(po: ProvinceOrder, created: bool | None = None) -> dict:
    order = po.order
    status, name = status_of(order.state) if order else ("00", "未生成工单")
    due = (order.due_at or order.external_due_at) if order else po.internal_due_at
    return {
        "province_no": po.province_no, "city_no": order.number if order else None,
        "created": created, "status": status, "status_name": name,
        "province_due_at": timezone.localtime(po.province_due_at).isoformat(),
        "city_due_at": timezone.localtime(due).isoformat() if due else None,
        "needs_review": po.needs_review, "unmapped": po.unmapped,
    }


@router.post(
    "/orders", response={201: ProvinceOrderOut, 200: ProvinceOrderOut, **ERRORS},
    operation_id="province_push_order", summary="省级平台下派工单 Push an order down",
    openapi_extra={"requestBody": {"required": True, "content": {
        "application/json": {"example": PUSH_EXAMPLE}}}},
)
def push_order(request):
    """省级平台下派一张工单。同一省级工单编号重复推送只生成一张工单（首次 201，之后 200）。
    编码按“省级编码对照”转换，未对照的编码按默认值登记并提示派单员核对。"""
    token = getattr(request, "api_token", None)
    order, created, po = handle_push(
        request.body, content_type=request.content_type or "",
        remote_addr=client_ip(request),
        meta={"token": token.prefix if token else ""})
    po.order = order
    return Status(201 if created else 200, _out(po, created))


def _province_order(province_no: str, qs) -> ProvinceOrder | None:
    # A number that could never have been accepted is not looked up: NUL in it would make
    # PostgreSQL fail the query (a 500 instead of 404).
    if not NUMBER.match(province_no):
        return None
    return qs.filter(province_no=province_no).first()


@router.get(
    "/orders/{province_no}", response={200: ProvinceOrderOut, **ERRORS},
    operation_id="province_order_status", summary="省级工单在本市的状态 Status of an order",
)
def order_status(request, province_no: str):
    po = _province_order(province_no, ProvinceOrder.objects.select_related("order"))
    if po is None:
        raise NotFound("该省级工单编号不存在")
    return _out(po)


class UpdatesOut(Schema):
    province_no: str
    updates: list[dict] = Field(..., description="按 seq 排列的状态更新，与推送内容相同")


@router.get(
    "/orders/{province_no}/updates", response={200: UpdatesOut, **ERRORS},
    operation_id="province_order_updates", summary="补取状态更新 Updates of an order",
)
def order_updates(request, province_no: str):
    """本市为该工单生成的全部状态更新（与推送内容相同，按 seq 排列），供省级平台在自身故障后
    核对补取；`delivered` 表示本市是否已收到省级平台的成功应答。"""
    po = _province_order(province_no, ProvinceOrder.objects.all())
    if po is None or po.order_id is None:
        raise NotFound("该省级工单编号不存在")
    rows = province_deliveries().filter(order_id=po.order_id).order_by("seq")
    return {"province_no": po.province_no,
            "updates": [{**d.payload, "delivery_id": d.pk,
                         "delivered": d.status == DeliveryStatus.DELIVERED} for d in rows]}
