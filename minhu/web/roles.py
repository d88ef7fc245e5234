"""Which workspace each role starts in, and the navigation a person sees."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from minhu.accounts.roles import Role


@dataclass(frozen=True)
class Desk:
    url_name: str
    label: str
    roles: frozenset


DESKS = [
    Desk("web:agent", _("话务台"), frozenset({Role.AGENT})),
    Desk("web:dispatch", _("派单台"), frozenset({Role.DISPATCHER})),
    Desk("web:inbox", _("承办工作台"), frozenset({Role.UNIT_HANDLER, Role.UNIT_LEADER})),
    Desk("web:supervise", _("督办"), frozenset({Role.SUPERVISOR})),
    Desk("web:callback", _("回访台"), frozenset({Role.CALLBACK_AGENT})),
    Desk("intake:overview", _("渠道接入"), frozenset({Role.SUPERVISOR, Role.ADMIN})),
    Desk("web:orders", _("工单查询"), frozenset(Role.values)),
]


def desks_for(user) -> list[Desk]:
    return [d for d in DESKS if user.is_superuser or user.has_role(*d.roles)]
