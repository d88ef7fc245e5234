import json

import pytest
from django.core.management import CommandError, call_command

from minhu.geo.boundaries import build_demo_boundaries, demo_polygons, parse_geojson
from minhu.geo.models import Boundary
from minhu.org.models import Place, Unit


@pytest.fixture
def boundaries(db):
    build_demo_boundaries()


def test_demo_boundaries_cover_every_territorial_unit_and_are_deterministic(db):
    first = demo_polygons()
    units = Unit.objects.filter(kind__in=["district", "street", "community", "grid"]).count()
    assert len(first) == units
    assert all(g.is_valid and not g.is_empty for g in first.values())
    again = demo_polygons()
    assert all(first[k].equals(again[k]) for k in first)


def test_a_district_is_its_square(db):
    dc = Unit.objects.get(code="DC")
    assert demo_polygons()[dc.pk].bounds == pytest.approx((120.13, 30.24, 120.21, 30.32))


def test_a_pin_on_a_grid_point_lands_in_that_grid(resolve, boundaries):
    grid = Unit.objects.get(code="DC010102")
    found = resolve(lat=grid.lat, lng=grid.lng)
    assert found.grid == "DC010102"
    assert found.match.evidence == ["坐标落在“文昌街道翠苑社区第2网格”"]
    assert found.match.confidence > 0.9


def test_a_pin_on_a_compound_lands_in_its_community(resolve, boundaries):
    compound = Place.objects.get(name="锦绣家园")
    assert resolve(lat=compound.lat, lng=compound.lng).community == "DC0101"


def test_coordinates_settle_an_ambiguous_name(resolve, boundaries):
    compound = Place.objects.get(name="锦绣嘉园")
    found = resolve(address="锦绣那边", lat=compound.lat, lng=compound.lng)
    assert found.match.place_id == compound.pk
    assert found.match.confidence > 0.8


def test_without_boundaries_a_pin_falls_back_to_the_nearest_community_point(resolve):
    Boundary.objects.all().delete()
    community = Unit.objects.get(code="DC0103")
    found = resolve(lat=community.lat + 0.002, lng=community.lng)
    assert found.community == "DC0103"
    assert found.grid is None
    assert 0 < found.match.confidence < 0.8
    assert "距“文昌街道紫园社区”约" in found.match.evidence[0]


def test_a_pin_outside_every_boundary_uses_the_nearest_community_within_a_kilometre(
        resolve, boundaries):
    east = Unit.objects.filter(kind="community", code__startswith="DC").order_by("-lng").first()
    near = resolve(lat=east.lat, lng=120.2105)  # just east of 东城区's square
    assert near.community is not None and near.match.confidence < 0.8
    assert resolve(lat=31.5, lng=121.5).match.confidence == 0  # far from the city


def test_changing_a_boundary_is_seen_at_once(resolve, boundaries):
    grid = Unit.objects.get(code="DC010102")
    assert resolve(lat=grid.lat, lng=grid.lng).grid == "DC010102"
    # Move 紫园's first grid over 翠苑's point: a tiny square around it.
    other = Unit.objects.get(code="DC010301")
    d = 0.00001
    Boundary.objects.filter(unit=other).update(geojson=json.dumps({
        "type": "Polygon", "coordinates": [[[grid.lng - d, grid.lat - d],
                                            [grid.lng + d, grid.lat - d],
                                            [grid.lng + d, grid.lat + d],
                                            [grid.lng - d, grid.lat + d],
                                            [grid.lng - d, grid.lat - d]]]}))
    boundary = Boundary.objects.get(unit=other)
    boundary.save()  # the signal throws the cached index away
    found = resolve(lat=grid.lat, lng=grid.lng)
    assert found.grid in ("DC010102", "DC010301")


def feature(code, coordinates=None, geometry_type="Polygon"):
    ring = coordinates or [[120.13, 30.24], [120.14, 30.24], [120.14, 30.25], [120.13, 30.24]]
    return {"type": "Feature", "properties": {"code": code},
            "geometry": {"type": geometry_type, "coordinates": [ring]}}


def collection(*features):
    return json.dumps({"type": "FeatureCollection", "features": list(features)})


def test_a_geojson_file_imports_by_unit_code(db, tmp_path, capsys):
    path = tmp_path / "b.geojson"
    path.write_text(collection(feature("DC0101"), feature("DC01")), encoding="utf-8")
    call_command("geo-boundaries", "--import", str(path))
    assert Boundary.objects.filter(unit__code__in=["DC0101", "DC01"]).count() == 2
    assert "已写入 2 个单位的边界" in capsys.readouterr().out


def test_a_dry_run_writes_nothing(db, tmp_path):
    Boundary.objects.all().delete()
    path = tmp_path / "b.geojson"
    path.write_text(collection(feature("DC0101")), encoding="utf-8")
    call_command("geo-boundaries", "--import", str(path), "--dry-run")
    call_command("geo-boundaries", "--demo", "--dry-run")
    assert not Boundary.objects.exists()


def test_one_bad_feature_stops_the_whole_import_with_reasons_in_chinese(db, tmp_path, capsys):
    Boundary.objects.all().delete()
    bowtie = [[120.13, 30.24], [120.14, 30.25], [120.14, 30.24], [120.13, 30.25],
              [120.13, 30.24]]
    path = tmp_path / "b.geojson"
    path.write_text(collection(
        feature("DC0101"), feature("NOPE"), feature("CGJ"), feature("DC0102", bowtie),
        feature("DC0103", geometry_type="Point"), feature("DC0101"),
        {"type": "Feature", "properties": {}, "geometry": None},
        feature("DC0104", [[200, 30], [201, 30], [201, 31], [200, 30]]),
        feature("DC0105", [["a", "b"]]),
    ), encoding="utf-8")
    with pytest.raises(CommandError, match="8 个问题，未导入任何边界"):
        call_command("geo-boundaries", "--import", str(path))
    out = capsys.readouterr().out
    assert "第 2 个要素（编码 NOPE）：没有这个编码的单位" in out
    assert "第 3 个要素（编码 CGJ）：市城市管理局 不是区县、街道、社区或网格" in out
    assert "第 4 个要素（编码 DC0102）：边界无效" in out
    assert "第 5 个要素（编码 DC0103）：几何类型须为 Polygon 或 MultiPolygon" in out
    assert "第 6 个要素（编码 DC0101）：与第 1 个要素的编码重复" in out
    assert "第 7 个要素：缺少 properties.code" in out
    assert "第 8 个要素（编码 DC0104）：坐标超出经纬度范围" in out
    assert "第 9 个要素（编码 DC0105）：坐标格式错误" in out
    assert not Boundary.objects.exists()


@pytest.mark.parametrize("text, message", [
    ("not json", "不是有效的 JSON"),
    ("[]", "须为 GeoJSON FeatureCollection"),
    ('{"type": "FeatureCollection", "features": []}', "没有要素"),
])
def test_a_file_that_is_not_a_feature_collection_is_refused(db, text, message):
    assert message in parse_geojson(text).errors[0]


def test_missing_or_non_utf8_files_are_refused(db, tmp_path):
    with pytest.raises(CommandError, match="文件不存在"):
        call_command("geo-boundaries", "--import", str(tmp_path / "none.geojson"))
    path = tmp_path / "gbk.geojson"
    path.write_bytes("东城".encode("gbk"))
    with pytest.raises(CommandError, match="UTF-8"):
        call_command("geo-boundaries", "--import", str(path))


def test_the_demo_command_writes_every_boundary(db, capsys):
    call_command("geo-boundaries", "--demo")
    assert Boundary.objects.count() == len(demo_polygons())


def test_the_admin_form_refuses_a_bad_boundary_in_chinese(db):
    from minhu.geo.admin import BoundaryForm

    unit = Unit.objects.get(code="DC0101")
    point = '{"type": "Point", "coordinates": [1, 2]}'
    form = BoundaryForm(data={"unit": unit.pk, "geojson": point})
    assert not form.is_valid()
    assert form.errors["geojson"] == ["几何类型须为 Polygon 或 MultiPolygon"]
    assert not BoundaryForm(data={"unit": unit.pk, "geojson": "{"}).is_valid()
    good = json.dumps(feature("DC0101"))
    # The test city already has its demo boundaries: this edits the street's own.
    form = BoundaryForm(data={"unit": unit.pk, "geojson": good},
                        instance=Boundary.objects.filter(unit=unit).first())
    assert form.is_valid(), form.errors
    assert json.loads(form.cleaned_data["geojson"])["type"] == "Polygon"
