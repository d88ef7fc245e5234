"""The actions as operations with typed inputs, shared by the HTTP API and the CLI.

Each operation names its input schema and how to call its ``do_*`` function. Units are
referred to by their code (DC01, CGJ …), the way people and partner systems know them.
"""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Literal

from django.utils import timezone
from django.utils.translation import gettext_noop
from ninja import Field, Schema
from pydantic import AfterValidator

from minhu.core.errors import ValidationFailed
from minhu.org.models import Unit

from . import actions as a
from .models import WorkOrder

Note = Field("", max_length=4000, description="说明")
Text = Field(..., min_length=1, max_length=4000)
UnitCode = Field(..., min_length=1, max_length=40, description="单位编码，如 DC01")


EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


def city_time(value: datetime, field: str = "时间") -> datetime:
    """Times without an offset are the city's local time; times far outside the platform's
    life are refused (they overflow on conversion and make no sense as deadlines)."""
    if not (EARLIEST_YEAR <= value.year <= LATEST_YEAR):
        raise ValidationFailed(
            f"字段 {field} 超出范围（须在 {EARLIEST_YEAR}–{LATEST_YEAR} 年之间）",
            code="validation_failed", field=field)
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_current_timezone())
    return value


def _city_time(value: datetime) -> datetime:
    if not (EARLIEST_YEAR <= value.year <= LATEST_YEAR):
        raise ValueError(f"超出范围（须在 {EARLIEST_YEAR}–{LATEST_YEAR} 年之间）")
    return city_time(value)


CityTime = Annotated[datetime, AfterValidator(_city_time)]


def unit_pk(code: str | None) -> int | None:
    if code in (None, ""):
        return None
    pk = Unit.objects.filter(code=code).values_list("pk", flat=True).first()
    if pk is None:
        raise ValidationFailed(f"单位编码“{code[:40]}”不存在", code="unknown_unit")
    return pk


def unit_pks(codes: list[str]) -> list[int]:
    return [unit_pk(c) for c in codes]


class NoteIn(Schema):
    note: str = Note


class AnswerIn(Schema):
    answer: str = Text


class ReasonIn(Schema):
    reason: str = Text


class ForwardIn(Schema):
    sub_centre: str = UnitCode
    note: str = Note


class DispatchIn(Schema):
    lead_unit: str = UnitCode
    co_units: list[str] = Field(default_factory=list, max_length=10)
    category: str | None = Field(None, max_length=20)
    urgency: str | None = Field(None, max_length=20)
    note: str = Note


class ReassignIn(Schema):
    lead_unit: str = UnitCode
    co_units: list[str] = Field(default_factory=list, max_length=10)
    reason: str = Text


class ReturnIn(Schema):
    reason: str = Text
    suggested_unit: str | None = Field(None, max_length=40)


class ReviewReturnIn(Schema):
    approve: bool
    note: str = Note
    lead_unit: str | None = Field(None, max_length=40, description="同意并改派时的新主办单位")
    co_units: list[str] = Field(default_factory=list, max_length=10)


class ReviewIn(Schema):
    approve: bool
    note: str = Note


class SubDispatchIn(Schema):
    unit: str = UnitCode
    note: str = Text
    due_at: CityTime | None = None


class SummonIn(Schema):
    units: list[str] = Field(..., min_length=1, max_length=10)
    note: str = Text


class ExtensionIn(Schema):
    amount: int = Field(..., ge=1, le=72)
    unit: Literal["hours", "days", "workdays"]
    reason: str = Text


class ReplyIn(Schema):
    text: str = Text
    solved: bool
    handler_name: str = Field("", max_length=64)
    handler_phone: str = Field("", max_length=32)


class CallbackIn(Schema):
    reached: bool
    resolved: Literal["yes", "partly", "no", ""] = ""
    satisfaction: Literal["satisfied", "basic", "dissatisfied", ""] = ""
    scores: dict[str, int] = Field(default_factory=dict)
    note: str = Note


class ReviewDissatisfactionIn(Schema):
    reopen: bool
    note: str = Text


class UrgeIn(Schema):
    kind: Literal["phone", "notice", "interview"]
    note: str = Note


class EscalateIn(Schema):
    unit: str = UnitCode
    note: str = Text


class MergeIn(Schema):
    master: str = Field(..., min_length=1, max_length=40, description="主单编号")
    note: str = Note


class MarkUnreasonableIn(Schema):
    reason: str = Field(..., min_length=1, max_length=200)


@dataclass(frozen=True)
class Operation:
    name: str
    schema: type[Schema]
    run: Callable[[WorkOrder, object, Schema], WorkOrder]
    summary: str


# Summaries stay Chinese here; ``gettext_noop`` only marks them for the web UI's catalog.
OPERATIONS: dict[str, Operation] = {}


def _op(name: str, schema, summary: str):
    def register(fn):
        OPERATIONS[name] = Operation(name, schema, fn, summary)
        return fn

    return register


_op("answer", AnswerIn, gettext_noop("直接答复办结（咨询等）"))(
    lambda o, u, d: a.do_answer_directly(o, u, d.answer))
_op("forward", ForwardIn, gettext_noop("转分中心派单"))(
    lambda o, u, d: a.do_forward(o, u, unit_pk(d.sub_centre), d.note))
_op("dispatch", DispatchIn, gettext_noop("派单（主办 + 协办）"))(
    lambda o, u, d: a.do_dispatch(o, u, unit_pk(d.lead_unit), unit_pks(d.co_units),
                                  category=d.category, urgency=d.urgency, note=d.note))
_op("reassign", ReassignIn, gettext_noop("改派"))(
    lambda o, u, d: a.do_reassign(o, u, unit_pk(d.lead_unit), unit_pks(d.co_units),
                                  reason=d.reason))
_op("sign", NoteIn, gettext_noop("签收"))(lambda o, u, d: a.do_sign(o, u, d.note))
_op("return", ReturnIn, gettext_noop("退单（说明理由）"))(
    lambda o, u, d: a.do_return(o, u, d.reason, unit_pk(d.suggested_unit)))
_op("report-up", ReturnIn, gettext_noop("上报上级"))(
    lambda o, u, d: a.do_report_up(o, u, d.reason, unit_pk(d.suggested_unit)))
_op("review-return", ReviewReturnIn, gettext_noop("退单/上报审核"))(
    lambda o, u, d: a.do_review_return(o, u, approve=d.approve, note=d.note,
                                       lead_unit=unit_pk(d.lead_unit),
                                       co_units=unit_pks(d.co_units)))
_op("sub-dispatch", SubDispatchIn, gettext_noop("下派下级单位（生成子单）"))(
    lambda o, u, d: a.do_sub_dispatch(o, u, unit_pk(d.unit), d.note, d.due_at))
_op("summon", SummonIn, gettext_noop("吹哨召集部门"))(
    lambda o, u, d: a.do_summon(o, u, unit_pks(d.units), d.note))
_op("report-in", NoteIn, gettext_noop("部门报到"))(lambda o, u, d: a.do_report_in(o, u, d.note))
_op("request-extension", ExtensionIn, gettext_noop("申请延期"))(
    lambda o, u, d: a.do_request_extension(o, u, d.amount, d.unit, d.reason))
_op("review-extension", ReviewIn, gettext_noop("延期审核"))(
    lambda o, u, d: a.do_review_extension(o, u, approve=d.approve, note=d.note))
_op("reply", ReplyIn, gettext_noop("答复"))(
    lambda o, u, d: a.do_reply(o, u, d.text, solved=d.solved, handler_name=d.handler_name,
                               handler_phone=d.handler_phone))
_op("callback", CallbackIn, gettext_noop("回访"))(
    lambda o, u, d: a.do_callback(o, u, reached=d.reached, resolved=d.resolved,
                                  satisfaction=d.satisfaction, scores=d.scores, note=d.note))
_op("review-dissatisfaction", ReviewDissatisfactionIn, gettext_noop("不满意审核（重办或办结）"))(
    lambda o, u, d: a.do_review_dissatisfaction(o, u, reopen=d.reopen, note=d.note))
_op("urge", UrgeIn, gettext_noop("催办"))(lambda o, u, d: a.do_urge(o, u, d.kind, d.note))
_op("supervise", ReasonIn, gettext_noop("挂牌督办"))(lambda o, u, d: a.do_supervise(o, u, d.reason))
_op("escalate", EscalateIn, gettext_noop("提级办理"))(
    lambda o, u, d: a.do_escalate(o, u, unit_pk(d.unit), d.note))
_op("merge", MergeIn, gettext_noop("并入主单"))(lambda o, u, d: a.do_merge(o, u, d.master, d.note))
_op("mark-unreasonable", MarkUnreasonableIn, gettext_noop("标记不合理诉求"))(
    lambda o, u, d: a.do_mark_unreasonable(o, u, d.reason))
_op("review-unreasonable", ReviewIn, gettext_noop("不合理诉求审核"))(
    lambda o, u, d: a.do_review_unreasonable(o, u, approve=d.approve, note=d.note))
_op("withdraw", ReasonIn, gettext_noop("撤单"))(lambda o, u, d: a.do_withdraw(o, u, d.reason))
_op("reopen", ReasonIn, gettext_noop("市民申请重办"))(
    lambda o, u, d: a.do_citizen_reopen(o, u, d.reason))


class RegisterIn(Schema):
    content: str = Field(..., min_length=1, max_length=5000, description="诉求内容")
    request_type: str = Field("consult", max_length=20, description="诉求类型编码")
    channel: str = Field("phone", max_length=20)
    urgency: str = Field("normal", max_length=20)
    category: str | None = Field(None, max_length=20)
    title: str = Field("", max_length=120)
    citizen_name: str = Field("", max_length=64)
    citizen_phone: str = Field("", max_length=20)
    is_anonymous: bool = False
    is_confidential: bool | None = None
    is_enterprise: bool = False
    enterprise_name: str = Field("", max_length=100)
    address: str = Field("", max_length=200)
    lat: float | None = Field(None, ge=-90, le=90)
    lng: float | None = Field(None, ge=-180, le=180)
    place_id: int | None = Field(None, ge=1)
    community: str | None = Field(None, max_length=40, description="所属社区/网格/街道编码")
    external_id: str | None = Field(None, max_length=100, description="来源渠道的编号，用于幂等")
    external_due_at: CityTime | None = None
    answer: str | None = Field(None, max_length=4000, description="直接答复内容（咨询类）")

    def intake(self) -> "a.Intake":
        data = self.dict(exclude={"answer"})
        return a.Intake(**data)


def register(actor, data: RegisterIn, idempotency_key: str | None = None):
    body = json.dumps(data.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return a.do_register(actor, data.intake(), idempotency_key=idempotency_key,
                         fingerprint=hashlib.sha256(body.encode()).hexdigest(),
                         answer=data.answer)
