"""Which workspace each role starts in, and the navigation a person sees."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from minhu.accounts.roles import UNIT_ROLES, Role
from minhu.org.kinds import UnitKind


@dataclass(frozen=True)
class Desk:
    url_name: str
    label: str
    roles: frozenset
    # When set, only people working in a unit of one of these kinds see the desk (a grid
    # worker's patrol page means nothing to a department's handler).
    unit_kinds: frozenset = frozenset()

    def open_to(self, user) -> bool:
        if user.is_superuser:
            return True
        if not user.has_role(*self.roles):
            return False
        return not self.unit_kinds or (user.unit is not None
                                       and user.unit.kind in self.unit_kinds)


DESKS = [
    Desk("web:agent", _("话务台"), frozenset({Role.AGENT})),
    Desk("web:dispatch", _("派单台"), frozenset({Role.DISPATCHER})),
    Desk("web:inbox", _("承办工作台"), frozenset({Role.UNIT_HANDLER, Role.UNIT_LEADER})),
    Desk("web:supervise", _("督办"), frozenset({Role.SUPERVISOR})),
    Desk("web:callback", _("回访台"), frozenset({Role.CALLBACK_AGENT})),
    Desk("patrol:report", _("巡查上报"), UNIT_ROLES,
         frozenset({UnitKind.GRID, UnitKind.COMMUNITY})),
    Desk("qrcodes:manage", _("一码通"), UNIT_ROLES | {Role.ADMIN},
         frozenset({UnitKind.COMMUNITY, UnitKind.STREET, UnitKind.DISTRICT, UnitKind.CENTRE})),
    Desk("exchange:index", _("省级平台"), frozenset({Role.DISPATCHER, Role.SUPERVISOR})),
    Desk("dedup:incidents", _("事件并单"), frozenset({Role.DISPATCHER, Role.SUPERVISOR})),
    # The model versions page is linked from the learning report.
    Desk("triage:learning", _("智能分拨"), frozenset({Role.SUPERVISOR, Role.ADMIN})),
    # Partners, the outbox, call-centre figures and patrol statistics are linked from here.
    Desk("intake:overview", _("渠道接入"), frozenset({Role.SUPERVISOR, Role.ADMIN})),
    Desk("web:orders", _("工单查询"), frozenset(Role.values)),
]


def desks_for(user) -> list[Desk]:
    return [d for d in DESKS if d.open_to(user)]
