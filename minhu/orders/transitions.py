"""The transition table: which action may run in which state, by whom, and where it leads.

Every ``do_*`` function in ``actions`` starts by asking ``check()``; the unit-level guard
(is this actor's unit the one holding the assignment?) is done by the action itself,
because it depends on the assignment, not only on the order. ARCHITECTURE.md prints
this table (``minhu transitions`` renders it).
"""

from dataclasses import dataclass

from django.utils.translation import gettext_noop

from minhu.accounts.roles import Role
from minhu.core.errors import Forbidden, TransitionError

from .states import OPEN_STATES, State

S = State
UNIT = frozenset({Role.UNIT_HANDLER, Role.UNIT_LEADER})
CENTRE_INTAKE = frozenset({Role.AGENT, Role.DISPATCHER})
DISPATCH = frozenset({Role.DISPATCHER})
SUPERVISION = frozenset({Role.SUPERVISOR})
# Flags (urge, supervise, unreasonable) may be set while any unit still owes work.
WORKING = frozenset({S.DISPATCHED, S.HANDLING, S.RETURN_REVIEW})


@dataclass(frozen=True)
class Rule:
    action: str
    label: str
    sources: frozenset
    targets: tuple
    roles: frozenset
    note: str = ""


def _rule(action, label, sources, targets, roles, note=""):
    return Rule(action, label, frozenset(sources), tuple(targets), frozenset(roles), note)


# Labels stay Chinese here; ``gettext_noop`` only marks them for the web UI's catalog.
RULES = [
    _rule("register", gettext_noop("登记"), [], [S.REGISTERED], CENTRE_INTAKE,
          "渠道接入以其服务账号登记；同一渠道同一外部编号只生成一张工单"),
    _rule("answer_directly", gettext_noop("直接答复办结"), [S.REGISTERED], [S.CLOSED],
          CENTRE_INTAKE, "仅限可直接答复的类型（咨询、建议、表扬）"),
    _rule("close_on_spot", gettext_noop("现场处置办结"), [S.REGISTERED], [S.CLOSED],
          CENTRE_INTAKE, "网格员巡查发现并当场处置：以巡查服务账号登记即办结，计入主动发现"),
    _rule("forward", gettext_noop("转分中心"), [S.REGISTERED], [S.REGISTERED], DISPATCH,
          "市中心把工单交给区分中心派单"),
    _rule("dispatch", gettext_noop("派单"), [S.REGISTERED], [S.DISPATCHED], DISPATCH,
          "主办 + 协办；开始计时"),
    _rule("sign", gettext_noop("签收"), [S.DISPATCHED, S.HANDLING], [S.HANDLING], UNIT,
          "主办签收使工单进入办理中；协办签收不改变工单状态"),
    _rule("return", gettext_noop("退单"), [S.DISPATCHED, S.HANDLING], [S.RETURN_REVIEW], UNIT,
          "主办单位说明理由；审核期间暂停计时"),
    _rule("report_up", gettext_noop("上报"), [S.HANDLING], [S.RETURN_REVIEW, S.CLOSED], UNIT,
          "本级无法解决时逐级上报；子单上报即结束子单，回到上级单位"),
    _rule("review_return", gettext_noop("退单审核"), [S.RETURN_REVIEW],
          [S.REGISTERED, S.DISPATCHED, S.HANDLING], DISPATCH,
          "同意：改派或退回派单池；驳回：回到原单位并补回暂停时间"),
    _rule("reassign", gettext_noop("改派"), [S.DISPATCHED, S.HANDLING], [S.DISPATCHED], DISPATCH,
          "新单位重新计时"),
    _rule("sub_dispatch", gettext_noop("下派"), [S.HANDLING], [S.HANDLING], UNIT,
          "街道→社区→网格，生成子单；职能部门事项不得下派至基层"),
    _rule("summon", gettext_noop("吹哨"), [S.HANDLING], [S.HANDLING], UNIT,
          "街道/乡镇召集职能部门协办，部门须在时限内报到"),
    _rule("report_in", gettext_noop("报到"), [S.DISPATCHED, S.HANDLING],
          [S.DISPATCHED, S.HANDLING], UNIT),
    _rule("request_extension", gettext_noop("申请延期"), [S.DISPATCHED, S.HANDLING],
          [S.DISPATCHED, S.HANDLING], UNIT, "须在期限届满前申请，同时只能有一个待审申请"),
    _rule("review_extension", gettext_noop("延期审核"), WORKING, WORKING, DISPATCH,
          "同意后顺延期限"),
    _rule("reply", gettext_noop("答复"), [S.HANDLING], [S.REPLIED, S.HANDLING, S.CLOSED], UNIT,
          "主办答复即答复工单（子单答复即办结子单）；协办答复给主办"),
    _rule("callback", gettext_noop("回访"), [S.REPLIED],
          [S.REPLIED, S.CLOSED, S.DISSATISFIED_REVIEW], {Role.CALLBACK_AGENT},
          "未接通保持待回访并安排重试；不满意进入审核"),
    _rule("citizen_rate", gettext_noop("市民评价"), [S.REPLIED], [S.CLOSED, S.DISSATISFIED_REVIEW],
          CENTRE_INTAKE, "市民通过短信链接自评，结果同回访；每轮答复只能评价一次"),
    _rule("review_dissatisfaction", gettext_noop("不满意审核"), [S.DISSATISFIED_REVIEW],
          [S.DISPATCHED, S.CLOSED], DISPATCH | SUPERVISION, "重办回到原主办单位，重办次数加一"),
    _rule("urge", gettext_noop("催办"), WORKING | {S.REGISTERED}, WORKING | {S.REGISTERED},
          DISPATCH | SUPERVISION, "电话、催办单或约谈"),
    _rule("supervise", gettext_noop("挂牌督办"), OPEN_STATES, OPEN_STATES, SUPERVISION),
    _rule("escalate", gettext_noop("提级办理"), [S.DISPATCHED, S.HANDLING], [S.DISPATCHED],
          SUPERVISION, "上级单位牵头主办，原主办转为协办；期限不变"),
    _rule("merge", gettext_noop("并单"), [S.REGISTERED, S.DISPATCHED, S.HANDLING], [S.MERGED],
          DISPATCH, "主单办结时，被并工单的诉求人得到同一结果"),
    _rule("unmerge", gettext_noop("取消并单"), [S.MERGED], [S.REGISTERED], DISPATCH,
          "误并时退回派单池；主单已办结、结果已告知诉求人的不能取消"),
    _rule("mark_unreasonable", gettext_noop("标记不合理诉求"), OPEN_STATES | {S.CLOSED},
          OPEN_STATES | {S.CLOSED}, CENTRE_INTAKE | UNIT, "仅为建议，须经审核"),
    _rule("review_unreasonable", gettext_noop("不合理诉求审核"), OPEN_STATES | {S.CLOSED},
          OPEN_STATES | {S.CLOSED}, SUPERVISION, "认定后不计入单位考核"),
    _rule("withdraw", gettext_noop("撤单"),
          [S.REGISTERED, S.DISPATCHED, S.HANDLING, S.RETURN_REVIEW],
          [S.WITHDRAWN], CENTRE_INTAKE, "诉求人撤回"),
    _rule("attach", gettext_noop("上传附件"), OPEN_STATES, OPEN_STATES,
          CENTRE_INTAKE | UNIT | SUPERVISION | {Role.CALLBACK_AGENT},
          "图片、文档、录音等；类型、大小和文件头均经校验"),
    _rule("citizen_reopen", gettext_noop("市民申请重办"), [S.CLOSED], [S.DISPATCHED, S.REGISTERED],
          CENTRE_INTAKE, "办结后规定天数内可申请"),
]

TRANSITIONS: dict[str, Rule] = {r.action: r for r in RULES}

# Events written by the platform itself (the deadline sweep, merges, sub-orders).
SYSTEM_EVENTS = {
    "flag_yellow": gettext_noop("黄灯预警"),
    "flag_overdue": gettext_noop("超期"),
    "sign_overdue": gettext_noop("签收超时"),
    "sub_reply": gettext_noop("子单答复"),
    "sub_reported_up": gettext_noop("子单上报"),
    "sub_created": gettext_noop("子单生成"),
    "sub_recalled": gettext_noop("子单收回"),
    "co_reply": gettext_noop("协办答复"),
    "master_closed": gettext_noop("主单办结"),
    "merged_in": gettext_noop("并入工单"),
    "unmerged_out": gettext_noop("移出并单"),
    "callback_unreached": gettext_noop("回访未接通"),
}


def label(action: str) -> str:
    rule = TRANSITIONS.get(action)
    return rule.label if rule else SYSTEM_EVENTS.get(action, action)


def check(order, action: str, actor) -> Rule:
    """Refuse the action unless the order's state and the actor's roles allow it."""
    rule = TRANSITIONS[action]
    if order is not None and order.state not in rule.sources:
        state = State.source_label_of(order.state)
        raise TransitionError(f"工单 {order.number} 当前状态为“{state}”，不能{rule.label}")
    if actor is None or not actor.has_role(*rule.roles):
        raise Forbidden(f"您的角色无权{rule.label}", code="role_not_allowed")
    return rule


def as_markdown() -> str:
    head = "| 动作 | action | 允许的状态 | 之后的状态 | 角色 | 说明 |\n|---|---|---|---|---|---|\n"
    rows = []
    for r in RULES:
        src = "、".join(State.source_label_of(s) for s in sorted(r.sources)) or "（新工单）"
        dst = "、".join(State.source_label_of(s) for s in r.targets)
        roles = "、".join(Role.source_label_of(x) for x in sorted(r.roles))
        rows.append(f"| {r.label} | `{r.action}` | {src} | {dst} | {roles} | {r.note} |")
    return head + "\n".join(rows) + "\n"
