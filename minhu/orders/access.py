"""Who may see which orders, and how much of the citizen they may see.

* The 12345 centre (any role) sees every order.
* A sub-centre sees the orders of the district it serves and those handed to it.
* A handling unit sees orders on which it, or a unit below it, holds a live or finished
  assignment (not ones it handed back: least privilege).
* An external evaluator sees closed orders only.

"Not found" and "not yours" raise the same ``NotFound``.
"""

from django.db.models import Exists, OuterRef, Q

from minhu.accounts.roles import PII_ROLES, UNIT_ROLES, Role
from minhu.audit.actions import record
from minhu.core.errors import Forbidden, NotFound
from minhu.org.kinds import UnitKind

from .models import Assignment, WorkOrder
from .states import AssignmentState, State

HIDDEN_NAME = "（保密）"


# Roles that work at the centre on any order. An evaluator placed at the centre is not
# one of them: evaluators only ever see closed orders.
CENTRE_ROLES = (Role.AGENT, Role.DISPATCHER, Role.SUPERVISOR, Role.CALLBACK_AGENT,
                Role.ANALYST, Role.ADMIN)


def is_centre(user) -> bool:
    if user.is_superuser:
        return True
    return (user.unit_id is not None and user.unit.kind == UnitKind.CENTRE
            and user.has_role(*CENTRE_ROLES))


def is_sub_centre(user) -> bool:
    return (user.unit_id is not None and user.unit.kind == UnitKind.SUB_CENTRE
            and user.has_role(*CENTRE_ROLES))


def visible_orders(user, qs=None):
    """The orders ``user`` may see (the ``WorkOrder.objects.visible_to`` rule)."""
    qs = WorkOrder.objects.all() if qs is None else qs
    if not user or not user.is_authenticated or not user.is_active:
        return qs.none()
    if is_centre(user):
        return qs
    if user.has_role(Role.EVALUATOR) and not user.has_role(*UNIT_ROLES, *CENTRE_ROLES):
        return qs.filter(state=State.CLOSED)
    if user.unit_id is None:
        return qs.none()
    unit = user.unit
    held_below = Exists(
        Assignment.objects.filter(order=OuterRef("pk"), unit__path__startswith=unit.path)
        .exclude(state=AssignmentState.CANCELLED)
    )
    if is_sub_centre(user):
        return qs.filter(Q(district_id=unit.serves_id) | Q(dispatch_unit=unit) | held_below)
    if user.has_role(*UNIT_ROLES):
        return qs.filter(held_below)
    return qs.none()


def access_order(user, number: str, *, for_update: bool = False) -> WorkOrder:
    # The joins every caller needs; a long select_related costs PostgreSQL more planning
    # time than the few extra lookups it saves.
    qs = visible_orders(user).select_related(
        "request_type", "category", "urgency", "lead_unit", "dispatch_unit",
    )
    if for_update:
        qs = qs.select_for_update(of=("self",))
    order = qs.filter(number=str(number)[:40]).first()
    if order is None:
        raise NotFound()
    return order


def mask_phone(phone: str) -> str:
    """13812345678 -> 138****5678; short numbers are masked whole."""
    digits = phone.strip()
    if len(digits) >= 7:
        return digits[:3] + "****" + digits[-4:]
    return "*" * len(digits)


def mask_name(name: str) -> str:
    return (name[0] + "*" * (len(name) - 1)) if name else ""


def may_reveal(user, order: WorkOrder) -> bool:
    """Unmasked personal data is for those who must contact the citizen."""
    if order.is_anonymous:
        return False
    if user.has_role(*PII_ROLES) and (is_centre(user) or is_sub_centre(user)):
        return True
    if order.is_confidential:
        return False
    return user.has_role(*UNIT_ROLES)


def citizen_view(user, order: WorkOrder, *, reveal: bool = False, via: str = "",
                 ip: str | None = None) -> dict:
    """The citizen as ``user`` may see them. Asking to reveal what one may not see is
    refused outright (not quietly masked); every reveal is audited."""
    if reveal and not may_reveal(user, order):
        raise Forbidden("您无权查看诉求人完整信息", code="pii_forbidden")
    if order.is_confidential and not (is_centre(user) or is_sub_centre(user)):
        return {"name": HIDDEN_NAME, "phone": "", "masked": True, "confidential": True}
    if order.is_anonymous:
        return {"name": "匿名", "phone": mask_phone(order.citizen_phone), "masked": True,
                "confidential": order.is_confidential}
    if reveal:
        record(user, "view_pii", order, fields="citizen_name,citizen_phone", via=via, ip=ip)
        return {"name": order.citizen_name, "phone": order.citizen_phone, "masked": False,
                "confidential": order.is_confidential}
    return {"name": mask_name(order.citizen_name), "phone": mask_phone(order.citizen_phone),
            "masked": True, "confidential": order.is_confidential}
