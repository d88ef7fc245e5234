"""Named states, actions and other choices of a work order, with zh-hans labels.

The transition table itself lives in ``transitions.py``; ARCHITECTURE.md prints it.
"""

from django.utils.translation import gettext_lazy as _

from minhu.core.choices import Choices


class State(Choices):
    REGISTERED = "registered", _("待派单")
    DISPATCHED = "dispatched", _("待签收")
    HANDLING = "handling", _("办理中")
    RETURN_REVIEW = "return_review", _("退单审核中")
    REPLIED = "replied", _("待回访")
    DISSATISFIED_REVIEW = "dissatisfied_review", _("不满意待审核")
    CLOSED = "closed", _("已办结")
    WITHDRAWN = "withdrawn", _("已撤单")
    MERGED = "merged", _("已并单")


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
    LEAD = "lead", _("主办")
    CO = "co", _("协办")
    SUMMONED = "summoned", _("吹哨报到")


class AssignmentState(Choices):
    PENDING_SIGN = "pending_sign", _("待签收")
    HANDLING = "handling", _("办理中")
    RETURNED = "returned", _("已退回")
    REPLIED = "replied", _("已答复")
    CANCELLED = "cancelled", _("已撤回")
    DONE = "done", _("已完结")


ACTIVE_ASSIGNMENT_STATES = frozenset(
    {AssignmentState.PENDING_SIGN, AssignmentState.HANDLING, AssignmentState.RETURNED}
)


class Channel(Choices):
    PHONE = "phone", _("电话")
    WEB = "web", _("网站")
    WECHAT = "wechat", _("微信/小程序")
    QR = "qr", _("一码通")
    GRID = "grid", _("网格员上报")
    PROVINCE = "province", _("省级平台")
    PARTNER = "partner", _("合作系统")
    HOTLINE = "hotline", _("并入热线")
    OPEN311 = "open311", _("Open311")
    SUB_DISPATCH = "sub_dispatch", _("下派子单")


class Satisfaction(Choices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")


class ResolvedChoices(Choices):
    YES = "yes", _("已解决")
    PARTLY = "partly", _("部分解决")
    NO = "no", _("未解决")


class UrgeKind(Choices):
    PHONE = "phone", _("电话催办")
    NOTICE = "notice", _("催办单")
    INTERVIEW = "interview", _("约谈")
    SYSTEM = "system", _("系统提醒")


class ReviewStatus(Choices):
    NONE = "", _("无")
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已通过")
    REJECTED = "rejected", _("已驳回")


class ReturnKind(Choices):
    RETURN = "return", _("退单")
    REPORT_UP = "report_up", _("上报")


class CloseReason(Choices):
    CALLBACK = "callback", _("回访办结")
    DIRECT = "direct", _("直接答复")
    REVIEWED = "reviewed", _("审核办结")
    SUB_REPLIED = "sub_replied", _("子单已答复")
    REPORTED_UP = "reported_up", _("子单已上报")
    RECALLED = "recalled", _("子单已收回")
