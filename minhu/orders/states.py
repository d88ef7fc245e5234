"""Named states, actions and other choices of a work order, with zh-hans labels.

The transition table itself lives in ``transitions.py``; ARCHITECTURE.md prints it.
"""

from minhu.core.choices import Choices


class State(Choices):
    REGISTERED = "registered", "待派单"
    DISPATCHED = "dispatched", "待签收"
    HANDLING = "handling", "办理中"
    RETURN_REVIEW = "return_review", "退单审核中"
    REPLIED = "replied", "待回访"
    DISSATISFIED_REVIEW = "dissatisfied_review", "不满意待审核"
    CLOSED = "closed", "已办结"
    WITHDRAWN = "withdrawn", "已撤单"
    MERGED = "merged", "已并单"


OPEN_STATES = frozenset(
    {State.REGISTERED, State.DISPATCHED, State.HANDLING, State.RETURN_REVIEW,
     State.REPLIED, State.DISSATISFIED_REVIEW}
)
# States in which a unit holds the order and its handling clock runs.
UNIT_STATES = frozenset({State.DISPATCHED, State.HANDLING})
FINAL_STATES = frozenset({State.CLOSED, State.WITHDRAWN, State.MERGED})
# States whose deadline is watched by the sweep (yellow / overdue).
CLOCKED_STATES = UNIT_STATES


class AssignmentRole(Choices):
    LEAD = "lead", "主办"
    CO = "co", "协办"
    SUMMONED = "summoned", "吹哨报到"


class AssignmentState(Choices):
    PENDING_SIGN = "pending_sign", "待签收"
    HANDLING = "handling", "办理中"
    RETURNED = "returned", "已退回"
    REPLIED = "replied", "已答复"
    CANCELLED = "cancelled", "已撤回"
    DONE = "done", "已完结"


ACTIVE_ASSIGNMENT_STATES = frozenset(
    {AssignmentState.PENDING_SIGN, AssignmentState.HANDLING, AssignmentState.RETURNED}
)


class Channel(Choices):
    PHONE = "phone", "电话"
    WEB = "web", "网站"
    WECHAT = "wechat", "微信/小程序"
    QR = "qr", "一码通"
    GRID = "grid", "网格员上报"
    PROVINCE = "province", "省级平台"
    PARTNER = "partner", "合作系统"
    HOTLINE = "hotline", "并入热线"
    OPEN311 = "open311", "Open311"
    SUB_DISPATCH = "sub_dispatch", "下派子单"


class Satisfaction(Choices):
    SATISFIED = "satisfied", "满意"
    BASIC = "basic", "基本满意"
    DISSATISFIED = "dissatisfied", "不满意"


class ResolvedChoices(Choices):
    YES = "yes", "已解决"
    PARTLY = "partly", "部分解决"
    NO = "no", "未解决"


class UrgeKind(Choices):
    PHONE = "phone", "电话催办"
    NOTICE = "notice", "催办单"
    INTERVIEW = "interview", "约谈"
    SYSTEM = "system", "系统提醒"


class ReviewStatus(Choices):
    NONE = "", "无"
    PENDING = "pending", "待审核"
    APPROVED = "approved", "已通过"
    REJECTED = "rejected", "已驳回"


class ReturnKind(Choices):
    RETURN = "return", "退单"
    REPORT_UP = "report_up", "上报"


class CloseReason(Choices):
    CALLBACK = "callback", "回访办结"
    DIRECT = "direct", "直接答复"
    REVIEWED = "reviewed", "审核办结"
    SUB_REPLIED = "sub_replied", "子单已答复"
    REPORTED_UP = "reported_up", "子单已上报"
    RECALLED = "recalled", "子单已收回"
