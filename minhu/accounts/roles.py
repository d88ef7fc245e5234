"""Staff roles. Each role is a Django group of the same code; a person may hold several."""

from minhu.core.choices import Choices


class Role(Choices):
    AGENT = "agent", "话务员"
    DISPATCHER = "dispatcher", "派单员"
    UNIT_HANDLER = "unit_handler", "承办人"
    UNIT_LEADER = "unit_leader", "单位负责人"
    SUPERVISOR = "supervisor", "督办员"
    CALLBACK_AGENT = "callback_agent", "回访员"
    ANALYST = "analyst", "分析员/领导"
    ADMIN = "admin", "系统管理员"
    EVALUATOR = "evaluator", "外部评议员"


# Roles that act for a handling unit rather than for the 12345 centre.
UNIT_ROLES = frozenset({Role.UNIT_HANDLER, Role.UNIT_LEADER})
# Roles allowed to see an unmasked phone number when they ask for it (and are audited).
PII_ROLES = frozenset({Role.AGENT, Role.DISPATCHER, Role.CALLBACK_AGENT, Role.SUPERVISOR})
