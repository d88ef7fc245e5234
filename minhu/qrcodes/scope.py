"""Who may manage which codes (least privilege): a unit's staff see the places under their
own unit (a community its own buildings, a street its communities', a district all of its
streets'); the centre's administrators see the whole city."""

from django.db.models import F
from django.db.models.functions import Coalesce

from minhu.accounts.roles import UNIT_ROLES, Role
from minhu.org.kinds import TERRITORIAL_LEVELS, UnitKind
from minhu.org.models import Place, PlaceKind, Unit

SHEET_KINDS = (PlaceKind.BUILDING, PlaceKind.COMPOUND)


def is_city_admin(user) -> bool:
    return user.is_superuser or (user.has_role(Role.ADMIN) and user.unit_id is not None
                                 and user.unit.kind == UnitKind.CENTRE)


def may_manage(user) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if is_city_admin(user):
        return True
    return (user.has_role(*UNIT_ROLES) and user.unit_id is not None
            and user.unit.kind in TERRITORIAL_LEVELS)


def root_unit(user) -> Unit | None:
    """The unit whose subtree the user manages; None: the whole city."""
    if is_city_admin(user):
        return None
    return user.unit


def places_for(user):
    qs = Place.objects.filter(kind__in=SHEET_KINDS)
    unit = root_unit(user)
    if unit is None:
        return qs
    if unit.kind == UnitKind.GRID:  # a grid sees the places of its own grid only
        return qs.filter(grid=unit)
    return qs.filter(community__path__startswith=unit.path)


def units_for(user):
    """Units a batch may cover: districts, streets and communities within the scope."""
    qs = Unit.objects.filter(kind__in=(UnitKind.DISTRICT, UnitKind.STREET, UnitKind.COMMUNITY),
                             is_active=True)
    unit = root_unit(user)
    if unit is not None:
        qs = qs.filter(path__startswith=unit.path)
    return qs.order_by("path")


def in_print_order(qs):
    """Community by community; each compound, then its buildings."""
    return qs.order_by("community__path", Coalesce("parent_id", "id"),
                       F("parent_id").asc(nulls_first=True), "pk")


def batch_places(unit: Unit):
    return in_print_order(
        Place.objects.filter(kind__in=SHEET_KINDS, community__path__startswith=unit.path)
        .select_related("parent", "community__parent"))
