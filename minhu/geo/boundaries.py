"""Boundaries of territorial units: point-in-polygon lookup, the demo city's generated
boundaries, and GeoJSON import.

Geometries are (longitude, latitude). The lookup index (prepared geometries in one STRtree
per level) lives on the process's gazetteer, so it is rebuilt exactly when the gazetteer is.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import shapely
from django.db import transaction
from shapely.geometry import MultiPoint, Point, box, mapping, shape
from shapely.strtree import STRtree

from minhu.org.kinds import PlaceKind, UnitKind
from minhu.org.models import Place, Unit

from .models import Boundary

# Most specific first: a point inside a grid polygon needs nothing coarser.
LEVELS = (UnitKind.GRID, UnitKind.COMMUNITY, UnitKind.STREET, UnitKind.DISTRICT)
NEAREST_COMMUNITY_METRES = 1000
EARTH_RADIUS_M = 6_371_000


@dataclass
class BoundaryIndex:
    trees: dict[str, tuple[STRtree, list[int], list]] = field(default_factory=dict)

    def locate(self, lat: float, lng: float) -> int | None:
        """The id of the most specific unit whose boundary holds the point, or None."""
        point = Point(lng, lat)
        for level in LEVELS:
            entry = self.trees.get(level)
            if entry is None:
                continue
            tree, ids, geoms = entry
            for i in tree.query(point):
                if geoms[i].contains(point) or geoms[i].touches(point):
                    return ids[i]
        return None

    @property
    def empty(self) -> bool:
        return not self.trees


def load_index() -> BoundaryIndex:
    index = BoundaryIndex()
    per_level: dict[str, tuple[list[int], list]] = {}
    rows = Boundary.objects.filter(unit__is_active=True, unit__kind__in=LEVELS).values_list(
        "unit_id", "unit__kind", "geojson")
    for unit_id, kind, text in rows.iterator(500):
        try:
            geom = shape(json.loads(text))
        except (ValueError, TypeError, KeyError, AttributeError):
            continue  # validated on import; a row edited by hand into garbage is skipped
        if geom.is_empty:
            continue
        shapely.prepare(geom)
        ids, geoms = per_level.setdefault(kind, ([], []))
        ids.append(unit_id)
        geoms.append(geom)
    for kind, (ids, geoms) in per_level.items():
        index.trees[kind] = (STRtree(geoms), ids, geoms)
    return index


def metres_between(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def nearest_community(points, lat: float, lng: float,
                      limit: float = NEAREST_COMMUNITY_METRES) -> tuple[int, float] | None:
    """(community id, metres) of the closest community point within ``limit`` metres."""
    # Cheap box filter first (1 km ≈ 0.009° of latitude), then exact distance.
    span_lat = limit / 111_000
    span_lng = span_lat / max(0.2, math.cos(math.radians(lat)))
    best = None
    for cid, plat, plng in points:
        if abs(plat - lat) > span_lat or abs(plng - lng) > span_lng:
            continue
        d = metres_between(lat, lng, plat, plng)
        if d <= limit and (best is None or d < best[1]):
            best = (cid, d)
    return best


# -- the demo city ---------------------------------------------------------------------------

def _cells(sites: list[tuple[int, tuple[float, float]]], parent) -> dict[int, object]:
    """Split ``parent`` among units: each unit gets the Voronoi cells of its sites
    ((unit id, (lng, lat)) pairs), clipped to the parent and merged."""
    owners: dict[tuple[float, float], int] = {}
    for unit_id, point in sites:
        owners.setdefault(point, unit_id)  # one owner per point: Voronoi needs distinct sites
    units = list(dict.fromkeys(unit_id for unit_id, _ in sites))
    if len(units) == 1:
        return {units[0]: parent}
    points = list(owners)
    regions = shapely.voronoi_polygons(MultiPoint(points), extend_to=parent, ordered=True)
    pieces: dict[int, list] = {}
    for point, region in zip(points, regions.geoms, strict=True):
        pieces.setdefault(owners[point], []).append(region)
    return {unit_id: shapely.union_all(pieces[unit_id]).intersection(parent)
            for unit_id in units if unit_id in pieces}


def demo_polygons() -> dict[int, object]:
    """Unit id → polygon for every district, street, community and grid of the demo city.

    Districts are the squares ``geography.DISTRICTS`` lays them out in. Below that, a
    parent is split into Voronoi cells of its children's points; a street's or community's
    sites also include the points of the places in it, so a pin on a compound falls in the
    compound's own community (grids use their own points only: their places are scattered).
    Deterministic: the same city always gives the same polygons."""
    from minhu.demo.geography import DISTRICTS

    spec = {d.code: d for d in DISTRICTS}
    units = list(Unit.objects.filter(kind__in=LEVELS).order_by("code"))
    by_id = {u.pk: u for u in units}
    children: dict[int, list[Unit]] = {}
    for unit in units:
        if unit.parent_id:
            children.setdefault(unit.parent_id, []).append(unit)
    sites: dict[int, list[tuple[float, float]]] = {
        u.pk: [(u.lng, u.lat)] for u in units if u.lat is not None and u.lng is not None}
    places = (Place.objects.exclude(kind=PlaceKind.BUILDING).exclude(lat=None).exclude(lng=None)
              .order_by("pk").values_list("community_id", "lat", "lng"))
    for community_id, lat, lng in places:
        community = by_id.get(community_id)
        if community is None:
            continue
        sites.setdefault(community.pk, []).append((lng, lat))
        if community.parent_id in by_id:
            sites.setdefault(community.parent_id, []).append((lng, lat))
    polygons: dict[int, object] = {}
    for district in (u for u in units if u.kind == UnitKind.DISTRICT and u.code in spec):
        d = spec[district.code]
        half = d.span / 2
        polygons[district.pk] = box(d.lng - half, d.lat - half, d.lng + half, d.lat + half)
        pending = [district]
        while pending:
            parent = pending.pop(0)
            kids = [u for u in children.get(parent.pk, ()) if u.pk in sites]
            if not kids:
                continue
            cells = _cells([(u.pk, point) for u in kids for point in sites[u.pk]],
                           polygons[parent.pk])
            for unit_id, cell in cells.items():
                if not cell.is_empty:
                    polygons[unit_id] = cell
            pending.extend(u for u in kids if u.pk in polygons)
    return polygons


@transaction.atomic
def save_polygons(polygons: dict[int, object]) -> int:
    """Replace the boundaries of these units."""
    from .store import forget

    Boundary.objects.filter(unit_id__in=list(polygons)).delete()
    Boundary.objects.bulk_create([
        Boundary(unit_id=unit_id, geojson=json.dumps(mapping(_rounded(geom)),
                                                     separators=(",", ":")))
        for unit_id, geom in polygons.items()
    ], batch_size=500)
    transaction.on_commit(forget)
    forget()
    return len(polygons)


def _rounded(geom):
    # 1e-6 degrees is about 10 cm: enough, and keeps the text short.
    return shapely.set_precision(geom, 1e-6) if not geom.is_empty else geom


def build_demo_boundaries() -> int:
    """Generate and store the demo city's boundaries; returns how many were written."""
    return save_polygons(demo_polygons())


# -- GeoJSON import --------------------------------------------------------------------------

class ImportResult:
    def __init__(self):
        self.polygons: dict[int, object] = {}
        self.errors: list[str] = []


def parse_geojson(text: str) -> ImportResult:
    """Check a FeatureCollection whose features carry ``properties.code`` (a unit code);
    every problem is listed, in Chinese, with the feature's number."""
    result = ImportResult()
    try:
        data = json.loads(text)
    except ValueError as exc:
        result.errors.append(f"不是有效的 JSON：{exc}")
        return result
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        result.errors.append("文件须为 GeoJSON FeatureCollection")
        return result
    features = data.get("features")
    if not isinstance(features, list) or not features:
        result.errors.append("FeatureCollection 中没有要素（features）")
        return result
    codes = []
    for feature in features:
        props = feature.get("properties") if isinstance(feature, dict) else None
        code = props.get("code") if isinstance(props, dict) else None
        codes.append(str(code).strip() if code not in (None, "") else "")
    units = {u.code: u for u in Unit.objects.filter(code__in=[c for c in codes if c])}
    seen: dict[str, int] = {}
    for number, (feature, code) in enumerate(zip(features, codes, strict=True), start=1):
        where = f"第 {number} 个要素" + (f"（编码 {code}）" if code else "")
        if not code:
            result.errors.append(f"{where}：缺少 properties.code（单位编码）")
            continue
        unit = units.get(code)
        if unit is None:
            result.errors.append(f"{where}：没有这个编码的单位")
            continue
        if unit.kind not in LEVELS:
            result.errors.append(f"{where}：{unit.name} 不是区县、街道、社区或网格，不能设置边界")
            continue
        if code in seen:
            result.errors.append(f"{where}：与第 {seen[code]} 个要素的编码重复")
            continue
        seen[code] = number
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        geom, problem = check_geometry(geometry)
        if problem:
            result.errors.append(f"{where}：{problem}")
            continue
        result.polygons[unit.pk] = geom
    return result


def check_geometry(geometry) -> tuple[object | None, str]:
    """(shape, "") for a valid GeoJSON Polygon/MultiPolygon in WGS 84, else (None, why)."""
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        return None, "几何类型须为 Polygon 或 MultiPolygon"
    try:
        geom = shape(geometry)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError,
            shapely.errors.GEOSException):
        return None, "坐标格式错误"
    if geom.is_empty:
        return None, "边界为空"
    if not geom.is_valid:
        return None, f"边界无效（{shapely.is_valid_reason(geom)}）"
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        return None, "坐标超出经纬度范围（须为 [经度, 纬度]，WGS 84）"
    return geom, ""
