"""Finding the place a citizen means: by words (name, alias, address) or by a map pin."""

import re

from django.core.cache import cache
from django.db.models import Case, IntegerField, Q, Value, When
from django.db.models.functions import Length

from minhu.org.models import Place

LATIN = re.compile(r"[A-Za-z]")
MAX_QUERY = 40
MAP_CACHE_KEY = "minhu:portal:map-places:v1"


def search(words: str, limit: int = 8) -> list[Place]:
    terms = (words or "").strip()[:MAX_QUERY].split()[:4]
    if not terms:
        return []
    cond = Q()
    for term in terms:
        op = "icontains" if LATIN.search(term) else "contains"
        cond &= (Q(**{f"name__{op}": term}) | Q(**{f"aliases__{op}": term})
                 | Q(**{f"address__{op}": term}))
    return list(
        Place.objects.filter(cond).select_related("parent", "community__parent")
        .annotate(building=Case(When(parent__isnull=True, then=Value(0)), default=Value(1),
                                output_field=IntegerField()),
                  exact=Case(When(name=terms[0], then=Value(0)), default=Value(1),
                             output_field=IntegerField()),
                  name_len=Length("name"))
        .order_by("exact", "building", "name_len", "pk")[:limit]
    )


def describe(place: Place) -> dict:
    community = place.community
    street = community.parent if community and community.parent_id else None
    return {
        "id": place.pk, "name": str(place), "address": place.address,
        "area": " ".join(u.name for u in (street, community) if u is not None),
        "lat": place.lat, "lng": place.lng,
    }


def by_id(value) -> Place | None:
    try:
        pk = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return Place.objects.select_related("parent", "community__parent").filter(pk=pk).first()


def nearest(lat: float, lng: float) -> Place | None:
    """The named place closest to a pin (compounds, buildings, roads, landmarks)."""
    for d in (0.003, 0.01, 0.03, 0.1):
        rows = list(Place.objects.filter(lat__range=(lat - d, lat + d),
                                         lng__range=(lng - d, lng + d))
                    .select_related("parent", "community__parent")[:500])
        if rows:
            # Small areas: a flat-earth distance with longitude shrunk by latitude is enough.
            from math import cos, radians

            k = cos(radians(lat))
            return min(rows, key=lambda p: (p.lat - lat) ** 2 + ((p.lng - lng) * k) ** 2)
    return None


def map_points() -> list[list]:
    """Every top-level place as [lng, lat, name] for the pin map's backdrop (cached)."""
    points = cache.get(MAP_CACHE_KEY)
    if points is None:
        points = [[round(p["lng"], 5), round(p["lat"], 5), p["name"]]
                  for p in Place.objects.filter(parent__isnull=True, lat__isnull=False,
                                                lng__isnull=False)
                  .values("lng", "lat", "name")]
        cache.set(MAP_CACHE_KEY, points, 600)
    return points
