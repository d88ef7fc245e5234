"""The province's vocabulary: its codes for our reference data (mapped through
``CodeMapping``) and the status codes it expects in the updates we send up."""

from dataclasses import dataclass, field

from django.conf import settings

from minhu.catalog.models import Category, RequestType, UrgencyTier
from minhu.orders.states import State

from .models import CodeKind, CodeMapping

# Our state -> the province's status code and name (documented in docs/province-exchange.md).
STATUS = {
    State.REGISTERED: ("01", "已受理"),
    State.DISPATCHED: ("02", "已派发"),
    State.HANDLING: ("03", "办理中"),
    State.RETURN_REVIEW: ("04", "退回审核中"),
    State.REPLIED: ("05", "已答复"),
    State.DISSATISFIED_REVIEW: ("06", "不满意复核中"),
    State.CLOSED: ("07", "已办结"),
    State.WITHDRAWN: ("08", "已撤销"),
    State.MERGED: ("09", "已合并"),
}



def status_of(state: str) -> tuple[str, str]:
    return STATUS.get(state, ("99", "其他"))


def our_model(kind: str):
    return {CodeKind.REQUEST_TYPE: RequestType, CodeKind.CATEGORY: Category,
            CodeKind.URGENCY: UrgencyTier}.get(kind)


def defaults() -> dict[str, str | None]:
    """What an unmapped province code becomes; the dispatcher is asked to check it."""
    return {
        CodeKind.REQUEST_TYPE: getattr(settings, "MINHU_PROVINCE_DEFAULT_TYPE", "help"),
        CodeKind.URGENCY: getattr(settings, "MINHU_PROVINCE_DEFAULT_URGENCY", "normal"),
        CodeKind.CATEGORY: None,  # uncategorised: the dispatcher categorises on dispatch
    }


@dataclass
class Mapped:
    codes: dict = field(default_factory=dict)      # kind -> our code (or None)
    unmapped: list = field(default_factory=list)   # [{"kind", "code"}] for the dispatcher


def map_codes(province: dict[str, str]) -> Mapped:
    """Our codes for the province's ``{kind: code}``. A code missing from the table, or
    mapped to a code we no longer have, falls back to the default and is listed."""
    wanted = {kind: code for kind, code in province.items() if code}
    rows = {(m.kind, m.province_code): m.our_code for m in CodeMapping.objects.filter(
        kind__in=list(wanted), province_code__in=list(wanted.values()))}
    fallback = defaults()
    out = Mapped()
    for kind in CodeKind.values:
        code = wanted.get(kind)
        ours = rows.get((kind, code)) if code else None
        model = our_model(kind)
        if ours and not model.objects.filter(code=ours).exists():
            ours = None
        if ours is None:
            ours = fallback[kind]
            out.unmapped.append({"kind": kind, "code": code or ""})
        out.codes[kind] = ours
    return out
