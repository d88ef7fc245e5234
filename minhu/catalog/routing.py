"""Resolve the responsibility list 权责清单 for one order: who leads, who assists, and why.

The most specific line wins: a second-level category before its first level, a street
area before a district before the whole city, an audience-specific line (enterprise or
citizen) before one for all. A line whose lead is a territorial level is skipped when the
order's place does not give that level (no street known → try the next line).
"""

from dataclasses import dataclass, field

from django.db.models import Q

from minhu.org.kinds import UnitKind
from minhu.org.models import Unit

from .models import Audience, Category, Responsibility


@dataclass
class Route:
    lead: Unit
    co: list[Unit] = field(default_factory=list)
    rule: Responsibility | None = None
    reason: str = ""


def _rank(rule: Responsibility, category: Category, chain: dict) -> tuple:
    area_rank = 0
    if rule.area_id is not None:
        area_rank = 2 if chain.get("street") and rule.area_id == chain["street"].pk else 1
    return (rule.category_id == category.pk, area_rank, rule.audience != Audience.ALL)


def route(category: Category | None, chain: dict, *, is_enterprise: bool = False) -> Route | None:
    if category is None:
        return None
    areas = [u.pk for u in (chain.get("district"), chain.get("street")) if u is not None]
    audience = Audience.ENTERPRISE if is_enterprise else Audience.CITIZEN
    rules = (
        Responsibility.objects.filter(category_id__in=[category.pk, category.parent_id or 0])
        .filter(Q(area__isnull=True) | Q(area_id__in=areas))
        .filter(audience__in=[Audience.ALL, audience])
        .select_related("lead_unit", "category").prefetch_related("co_units")
    )
    for rule in sorted(rules, key=lambda r: _rank(r, category, chain), reverse=True):
        lead = rule.lead_unit or chain.get(rule.lead_level)
        if lead is None or not lead.is_active:
            continue
        co = [u for u in rule.co_units.all() if u.is_active and u.pk != lead.pk]
        for level in filter(None, (x.strip() for x in rule.co_levels.split(","))):
            unit = chain.get(level)
            if unit is not None and unit.pk != lead.pk and unit not in co:
                co.append(unit)
        how = (f"属地{UnitKind.source_label_of(rule.lead_level)}" if not rule.lead_unit_id else "")
        reason = f"权责清单：{rule.category.name}→{how}{lead.name} 主办"
        if co:
            reason += "；协办 " + "、".join(u.name for u in co)
        return Route(lead=lead, co=co, rule=rule, reason=reason)
    return None


def route_order(order) -> Route | None:
    chain = {"district": order.district, "street": order.street,
             "community": order.community, "grid": order.grid}
    return route(order.category, chain, is_enterprise=order.is_enterprise)
