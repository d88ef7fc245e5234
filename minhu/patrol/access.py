"""Who may report on patrol, and what a reporter sees of their own reports.

Reporting is for the people who walk the streets: handlers and leaders of a grid or a
community (the community's own staff cover grids without a worker). Everyone else gets
a plain refusal.

A reporter follows their own reports the way a citizen follows a request: the number,
the state and what they wrote. Seeing the order itself (who handles it, the timeline)
still goes through ``orders.access``: the grid only sees it if it holds an assignment.
"""

from minhu.accounts.roles import UNIT_ROLES
from minhu.core.errors import Forbidden
from minhu.org.kinds import UnitKind
from minhu.org.models import Place, Unit

from .models import PatrolReport

REPORTING_UNIT_KINDS = (UnitKind.GRID, UnitKind.COMMUNITY)
REFUSAL = "只有网格员和社区工作人员可以上报巡查发现的问题"


def may_report(user) -> bool:
    return bool(
        user and user.is_authenticated and user.is_active and user.unit_id is not None
        and user.has_role(*UNIT_ROLES) and user.unit.kind in REPORTING_UNIT_KINDS
        and user.unit.is_active
    )


def require_reporter(user) -> Unit:
    if not may_report(user):
        raise Forbidden(REFUSAL, code="not_grid_staff")
    return user.unit


def places_for(unit: Unit):
    """The places a reporter picks from: their grid's, or every place of their community."""
    qs = Place.objects.select_related("parent", "grid")
    qs = qs.filter(grid=unit) if unit.kind == UnitKind.GRID else qs.filter(community=unit)
    return qs.order_by("parent_id", "name")


def reports_of(user):
    return PatrolReport.objects.filter(worker=user).select_related(
        "order", "order__category", "order__lead_unit", "grid", "unit")


def link_retried(reports) -> None:
    """A report whose registration failed and was retried from the raw payload (渠道接入)
    got its order on the raw row only: link it here, once."""
    for report in reports:
        if report.order_id is None and report.raw.order_id is not None:
            report.order = report.raw.order
            PatrolReport.objects.filter(pk=report.pk).update(order=report.raw.order)
