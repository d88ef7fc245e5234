"""Resolve an order's jurisdiction chain (district → street → community → grid)."""

from .kinds import TERRITORIAL_LEVELS
from .models import Place, Unit

LEVEL_FIELDS = {level.value: level.value for level in TERRITORIAL_LEVELS}


def chain_of(unit: Unit | None) -> dict[str, Unit | None]:
    """The territorial units at and above ``unit``: {"district": …, "street": …, …}."""
    chain: dict[str, Unit | None] = {k: None for k in LEVEL_FIELDS}
    if unit is None:
        return chain
    for u in [*unit.ancestors(), unit]:
        if u.kind in LEVEL_FIELDS:
            chain[u.kind] = u
    return chain


def chain_of_place(place: Place) -> dict[str, Unit | None]:
    return chain_of(place.grid or place.community)
