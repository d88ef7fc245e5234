"""A Beijing-volume month of orders for the triage benches.

``build_city()`` creates the demo city's organisation, places and responsibility list in an
empty (scratch!) database; ``fill_orders(n, days)`` adds ``n`` orders spread over the last
``days`` days by bulk insert: texts from the demo's request templates filled with real place
names of the city, categories, places and units set as a dispatcher would have set them,
most of them closed by the unit the responsibility list names, some still open, a few
callers calling again. This measures triage on a full table, not intake.
"""

from __future__ import annotations

import random
import time
from datetime import timedelta

from django.core.management import call_command
from django.db import connection

STATES = (("closed", 0.70), ("handling", 0.2), ("registered", 0.1))


def build_city(seed: int = 12345):
    from minhu.catalog.seed import seed_reference_data
    from minhu.demo.duties import build_responsibility_list
    from minhu.demo.geography import build_geography
    from minhu.org.models import Unit

    call_command("migrate", verbosity=0)
    seed_reference_data()
    if Unit.objects.filter(code="DC").exists():
        return None
    geo = build_geography(random.Random(seed))
    build_responsibility_list(geo)
    return geo


def request_templates() -> list[tuple[str, str, str, float]]:
    """(category code, request type, template, weight) for every demo request text."""
    from minhu.demo import texts as t

    out = []
    for cat in t.CATEGORIES:
        for issue in cat.issues:
            out.append((cat.code, cat.kind, issue, max(cat.issue, 0.1)))
        for question, _answer in cat.questions:
            out.append((cat.code, "consult", question, max(cat.consult, 0.1) * 0.5))
    return out


def fill_orders(n: int, days: int = 30, *, seed: int = 7, batch: int = 10000,
                progress=print) -> int:
    """Add orders until the table holds ``n`` bench orders; returns how many were added."""
    from minhu.catalog.models import Category, RequestType, UrgencyTier
    from minhu.catalog.routing import route
    from minhu.core import clock
    from minhu.demo import texts as t
    from minhu.orders.models import WorkOrder
    from minhu.org.models import Place, Unit

    have = WorkOrder.objects.filter(number__startswith="TB").count()
    if have >= n:
        return 0
    rng = random.Random(seed + have)
    templates = request_templates()
    weights = [w for *_, w in templates]
    cats = {c.code: c for c in Category.objects.all()}
    types = {r.code: r for r in RequestType.objects.all()}
    normal = UrgencyTier.objects.get(code="normal")
    centre = Unit.objects.get(kind="centre")
    units = {u.pk: u for u in Unit.objects.all()}
    compounds = list(Place.objects.filter(kind="compound").exclude(community=None))
    buildings: dict[int, list[Place]] = {}
    for b in Place.objects.filter(kind="building"):
        buildings.setdefault(b.parent_id, []).append(b)
    roads = list(Place.objects.filter(kind="road"))
    route_cache: dict[tuple, int | None] = {}
    phones = [t.citizen_phone(rng) for _ in range(max(1000, n // 2))]
    now = clock.now()
    added, started = 0, time.perf_counter()
    while have + added < n:
        rows = []
        for i in range(have + added, min(n, have + added + batch)):
            code, kind, template, _w = rng.choices(templates, weights)[0]
            compound = rng.choice(compounds)
            community = units[compound.community_id]
            street = units[community.parent_id]
            district = units[street.parent_id]
            building = rng.choice(buildings.get(compound.pk) or [compound])
            road = rng.choice(roads)
            slots = t.Slots(rng, t.Place(
                district=district.name, street=street.name, community=community.name,
                compound=compound.name, building=building.name, road=road.name,
                road2=road.name, landmark=road.name + "口"))
            try:
                content = t.fill(template, slots)
            except (KeyError, IndexError, ValueError):
                content = template
            category = cats.get(code)
            key = (code, street.pk)
            if key not in route_cache:
                chain = {"district": district, "street": street, "community": community,
                         "grid": None}
                found = route(category, chain) if category else None
                route_cache[key] = found.lead.pk if found else None
            lead_id = route_cache[key]
            created = now - timedelta(seconds=rng.uniform(0, days * 86400))
            state = rng.choices([s for s, _ in STATES], [w for _, w in STATES])[0]
            if lead_id is None:
                state = "registered"
            closed = state == "closed"
            rows.append(WorkOrder(
                number=f"TB{i:010d}", channel="phone", state=state,
                citizen_phone=rng.choice(phones), content=content,
                title=f"{compound.name}{category.name if category else ''}"[:120],
                request_type=types.get(kind) or types["complaint"], category=category,
                urgency=normal, address=compound.address, place=building,
                district=district, street=street, community=community,
                lat=building.lat, lng=building.lng, dispatch_unit=centre,
                lead_unit_id=None if state == "registered" else lead_id,
                reply_unit_id=lead_id if closed else None,
                created_at=created, updated_at=created,
                dispatched_at=None if state == "registered" else created,
                due_at=created + timedelta(days=7),
                closed_at=created + timedelta(days=rng.uniform(0.5, 6)) if closed else None))
        WorkOrder.objects.bulk_create(rows, batch_size=5000)
        added += len(rows)
        progress(f"  {have + added:,}/{n:,} orders ({time.perf_counter() - started:.0f} s)")
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return added
