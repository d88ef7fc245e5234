"""The telephony (CTI) hook, for the call-centre's switch, with a token of scope ``cti``
(``minhu issue-token <account> --name 话务系统 --scope cti``):

* ``POST /api/v1/cti/calls``: one call event (ringing, answered, ended, abandoned); the
  same (call_id, event) twice is accepted once. Ringing at an agent pops their console.
* ``POST /api/v1/cti/records``: a batch of call records (话单), idempotent by call_id;
  each bad row is reported with its number and reason and nothing of it is written.
"""

import re
from typing import Annotated, Literal

from ninja import Field, Router, Schema, Status
from pydantic import AfterValidator

from minhu.accounts.models import Scope
from minhu.api import TokenAuth
from minhu.core.errors import ValidationFailed
from minhu.orders.operations import CityTime

from .events import record_event
from .models import EventKind
from .records import import_rows, max_batch

router = Router(tags=["话务"], auth=TokenAuth(scope=Scope.CTI))

CALL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,63}$")
PHONE = re.compile(r"^\+?[0-9][0-9\-]{2,19}$")


def _call_id(value: str) -> str:
    value = value.strip()
    if not CALL_ID.match(value):
        raise ValueError("只能包含字母、数字和 . _ : -（最多 64 个字符）")
    return value


def _phone(value: str) -> str:
    value = value.strip()
    if value and not PHONE.match(value):
        raise ValueError("不是有效的电话号码（号码隐藏时请传空字符串）")
    return value


class CallEventIn(Schema):
    call_id: Annotated[str, AfterValidator(_call_id)] = Field(
        ..., min_length=1, max_length=64, description="话务系统的通话编号")
    event: Literal["ringing", "answered", "ended", "abandoned"] = Field(
        ..., description="ringing 振铃 / answered 接听 / ended 挂机 / abandoned 来电人放弃")
    at: CityTime = Field(..., description="事件发生时间（ISO 8601；无时区按本市时间）")
    caller: Annotated[str, AfterValidator(_phone)] = Field(
        "", max_length=20, description="主叫号码；号码隐藏时为空")
    agent: str = Field("", max_length=64, description="话务员账号或分机号")
    queue: str = Field("", max_length=40, description="队列/技能组")


class CallEventOut(Schema):
    call_id: str
    event: str
    duplicate: bool
    agent: str | None
    popped: bool
    warning: str = ""


@router.post("/calls", response={201: CallEventOut, 200: CallEventOut},
             summary="来电事件（振铃弹屏）")
def call_event(request, payload: CallEventIn):
    event, created = record_event(
        call_id=payload.call_id, event=payload.event, at=payload.at, caller=payload.caller,
        agent=payload.agent.strip(), queue=payload.queue.strip(),
        payload=payload.model_dump(mode="json"))
    warning = ""
    if payload.agent.strip() and event.agent is None:
        warning = (f"坐席“{payload.agent.strip()[:64]}”未对应任何话务员账号或分机，"
                   "事件已保存但无法弹屏")
    return Status(201 if created else 200, {
        "call_id": event.call_id, "event": event.event, "duplicate": not created,
        "agent": event.agent.username if event.agent else None,
        "popped": event.agent is not None and event.event == EventKind.RINGING,
        "warning": warning,
    })


class RecordsIn(Schema):
    records: list = Field(..., description="通话记录数组，每条一个对象；字段见 docs/telephony.md")


class RowErrorOut(Schema):
    row: int
    call_id: str
    code: str
    message: str


class ImportOut(Schema):
    received: int
    created: int
    updated: int
    unchanged: int
    failed: int
    errors: list[RowErrorOut]


@router.post("/records", response=ImportOut, summary="批量导入通话记录（话单）")
def import_records(request, payload: RecordsIn):
    if not payload.records:
        raise ValidationFailed("records 不能为空", code="empty_batch")
    if len(payload.records) > max_batch():
        raise ValidationFailed(f"单次最多导入 {max_batch()} 条记录，请分批提交",
                               code="batch_too_large", limit=max_batch())
    return import_rows(payload.records).as_dict()
