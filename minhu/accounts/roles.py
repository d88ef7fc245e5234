"""Staff roles. Each role is a Django group of the same code; a person may hold several."""

from django.utils.translation import gettext_lazy as _

from minhu.core.choices import Choices


class Role(Choices):
    AGENT = "agent", _("话务员")
    DISPATCHER = "dispatcher", _("派单员")
    UNIT_HANDLER = "unit_handler", _("承办人")
    UNIT_LEADER = "unit_leader", _("单位负责人")
    SUPERVISOR = "supervisor", _("督办员")
    CALLBACK_AGENT = "callback_agent", _("回访员")
    ANALYST = "analyst", _("分析员/领导")
    ADMIN = "admin", _("系统管理员")
    EVALUATOR = "evaluator", _("外部评议员")


# Roles that act for a handling unit rather than for the 12345 centre.
UNIT_ROLES = frozenset({Role.UNIT_HANDLER, Role.UNIT_LEADER})
# Roles allowed to see an unmasked phone number when they ask for it (and are audited).
PII_ROLES = frozenset({Role.AGENT, Role.DISPATCHER, Role.CALLBACK_AGENT, Role.SUPERVISOR})
