"""Where a request is: a point (lat/long) or an address string becomes the community or
grid that answers for it, so the order arrives with its jurisdiction resolved."""

import math

from django.db.models import F, Value
from django.db.models.functions import Length, StrIndex

from minhu.org.kinds import UnitKind
from minhu.org.models import Place, Unit

# A known place within this distance of the point names the grid (metres).
PLACE_RADIUS_M = 800
# Otherwise the nearest community centre within this distance names the community.
COMMUNITY_RADIUS_M = 3000
METRES_PER_DEGREE = 111_320


def _box(qs, lat: float, lng: float, metres: float):
    dlat = metres / METRES_PER_DEGREE
    dlng = metres / (METRES_PER_DEGREE * max(math.cos(math.radians(lat)), 0.01))
    return qs.filter(lat__range=(lat - dlat, lat + dlat), lng__range=(lng - dlng, lng + dlng))


def _distance(lat1, lng1, lat2, lng2) -> float:
    x = math.radians(lng2 - lng1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return math.hypot(x, y) * 6_371_000


def _nearest(rows, lat, lng, radius):
    best = min(rows, key=lambda r: _distance(lat, lng, r.lat, r.lng), default=None)
    if best is not None and _distance(lat, lng, best.lat, best.lng) <= radius:
        return best
    return None


def area_of_point(lat: float, lng: float) -> str | None:
    """The code of the grid (or community) nearest to the point, if one is near."""
    places = _box(Place.objects.select_related("grid", "community"), lat, lng, PLACE_RADIUS_M)
    place = _nearest(list(places[:500]), lat, lng, PLACE_RADIUS_M)
    if place is not None:
        return (place.grid or place.community).code
    communities = _box(Unit.objects.filter(kind=UnitKind.COMMUNITY, is_active=True,
                                           lat__isnull=False), lat, lng, COMMUNITY_RADIUS_M)
    unit = _nearest(list(communities[:500]), lat, lng, COMMUNITY_RADIUS_M)
    return unit.code if unit is not None else None


def place_in_address(address: str) -> Place | None:
    """The longest known compound, road or landmark name the address mentions."""
    text = (address or "").strip()[:200]
    if len(text) < 2:
        return None
    return (Place.objects.filter(parent__isnull=True)
            .annotate(at=StrIndex(Value(text), F("name")), size=Length("name"))
            .filter(at__gt=0, size__gte=3)
            .order_by("-size", "pk").first())
