"""Proactive discoveries in the statistics: how many orders grid workers found themselves
(channel GRID) against those citizens reported (every other channel), per grid,
community, street or district, over any period.

    summary(start, end, area)            -> {"proactive", "citizen", "total", "share_pct", ...}
    counts(start, end, "grid", area)     -> {unit_id: {"proactive", "citizen", ...}}
    by_area(start, end, area)            -> the level below ``area`` with a row per unit

Orders are counted once each when registered (``created_at`` in [start, end)); sub-orders
are internal hand-downs of an order already counted and are left out. "Solved on the
spot" is the share of proactive orders the worker closed while on patrol.
"""

from django.db.models import Count, Q

from minhu.accounts.roles import Role
from minhu.orders.access import is_centre, is_sub_centre
from minhu.orders.models import WorkOrder
from minhu.orders.states import Channel
from minhu.org.kinds import UnitKind
from minhu.org.models import Unit

LEVELS = ("district", "street", "community", "grid")
CHILD_LEVEL = {None: "district", "district": "street", "street": "community",
               "community": "grid"}
PROACTIVE = Q(channel=Channel.GRID)
ON_SPOT = Q(channel=Channel.GRID, patrol_report__solved_on_spot=True)
LEADER_KINDS = (UnitKind.DISTRICT, UnitKind.STREET, UnitKind.COMMUNITY)
CENTRE_VIEWERS = (Role.ANALYST, Role.SUPERVISOR, Role.ADMIN)


def requests_in(start, end, area: Unit | None = None):
    """Citizen requests and proactive discoveries registered in [start, end)."""
    qs = (WorkOrder.objects.filter(created_at__gte=start, created_at__lt=end,
                                   parent__isnull=True)
          .exclude(channel=Channel.SUB_DISPATCH))
    if area is not None:
        qs = qs.filter(**{f"{area.kind}_id": area.pk})
    return qs


def _tally(proactive: int, total: int, on_spot: int = 0) -> dict:
    return {"proactive": proactive, "citizen": total - proactive, "total": total,
            "on_spot": on_spot,
            "share_pct": round(100 * proactive / total, 1) if total else 0.0,
            "on_spot_pct": round(100 * on_spot / proactive, 1) if proactive else 0.0}


def summary(start, end, area: Unit | None = None) -> dict:
    found = requests_in(start, end, area).aggregate(
        total=Count("pk"), proactive=Count("pk", filter=PROACTIVE),
        on_spot=Count("pk", filter=ON_SPOT))
    return _tally(found["proactive"], found["total"], found["on_spot"])


def counts(start, end, level: str, area: Unit | None = None) -> dict[int, dict]:
    """Per unit of ``level`` (grid, community, street, district) within ``area``."""
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}")
    rows = (requests_in(start, end, area).filter(**{f"{level}__isnull": False})
            .values_list(f"{level}_id")
            .annotate(total=Count("pk"), proactive=Count("pk", filter=PROACTIVE),
                      on_spot=Count("pk", filter=ON_SPOT))
            .order_by())
    return {pk: _tally(proactive, total, on_spot) for pk, total, proactive, on_spot in rows}


def by_area(start, end, area: Unit | None) -> tuple[str, list[dict]]:
    """Every unit one level below ``area`` (districts for the whole city), with counts;
    units without orders show zeros so a quiet grid is visible as quiet."""
    level = CHILD_LEVEL.get(area.kind if area else None)
    if level is None:
        return "", []
    units = Unit.objects.filter(kind=level, is_active=True)
    if area is not None:
        units = units.filter(path__startswith=area.path)
    found = counts(start, end, level, area)
    empty = _tally(0, 0)
    rows = [{"unit": u, "name": u.short_name or u.name, "code": u.code,
             **found.get(u.pk, empty)} for u in units.order_by("path")]
    return level, rows


# --- Who sees which area ------------------------------------------------------------------


def area_of_viewer(user):
    """None: the whole city; a Unit: that district, street or community; False: refused."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.is_superuser or (is_centre(user) and user.has_role(*CENTRE_VIEWERS)):
        return None
    if is_sub_centre(user) and user.has_role(*CENTRE_VIEWERS) and user.unit.serves_id:
        return user.unit.serves
    unit = user.unit if user.unit_id else None
    if unit is not None and unit.kind in LEADER_KINDS and user.has_role(Role.UNIT_LEADER):
        return unit
    return False


def pick_area(home: Unit | None, code: str) -> Unit | None:
    """The area asked for (?area=CODE) if it lies within the viewer's own; else theirs."""
    code = (code or "").strip()[:40]
    if not code:
        return home
    unit = Unit.objects.filter(code=code, kind__in=LEVELS[:3]).first()
    if unit is None or (home is not None and not unit.is_within(home)):
        return home
    return unit


def trail(home: Unit | None, chosen: Unit | None) -> list[Unit]:
    """From the viewer's own area down to the chosen one (for the breadcrumb)."""
    if chosen is None:
        return []
    chain = [u for u in chosen.ancestors() if u.kind in LEVELS] + [chosen]
    if home is not None:
        chain = [u for u in chain if u.is_within(home)]
    return chain
