import random
from collections import Counter

import pytest
from django.db import transaction

from minhu.accounts.models import User
from minhu.accounts.roles import Role
from minhu.catalog.models import Audience, Category, Responsibility
from minhu.catalog.taxonomy import TAXONOMY, seed_taxonomy
from minhu.demo.duties import build_responsibility_list
from minhu.demo.geography import Geography, build_geography
from minhu.demo.people import DEMO_ACCOUNTS, PASSWORD, build_people
from minhu.org.kinds import PlaceKind, UnitKind
from minhu.org.models import Place, Unit

FIRST_LEVEL = {
    "CJ": "城乡建设与住房", "SZ": "市政公用", "CG": "城市管理", "HB": "生态环境",
    "JT": "交通运输", "LD": "劳动和社会保障", "JY": "教育", "WS": "卫生健康",
    "SC": "市场监管", "GA": "公共安全与应急", "MZ": "民政与社会服务",
    "NY": "农业农村与自然资源", "QY": "企业服务与营商环境", "ZW": "政务服务",
    "WL": "文化旅游体育", "QT": "其他",
}


@pytest.fixture
def geo(db):
    """The demo city, built once per test session by minhu/conftest.py."""
    return Geography.from_db()


@pytest.fixture
def people(db):
    return {u.username: u for u in User.objects.select_related("unit")}


# --- taxonomy --------------------------------------------------------------------------


def test_taxonomy_data_shape():
    assert {n.code: n.name for n in TAXONOMY} == FIRST_LEVEL
    seen = set()
    for top in TAXONOMY:
        assert 5 <= len(top.children) <= 10, top.code
        for child in top.children:
            assert child.code[:2] == top.code and len(child.code) == 4 and child.code[2:].isdigit()
            words = child.keywords.split(",")
            assert 5 <= len(words) <= 15, child.code
            assert all(w and w == w.strip() for w in words), child.code
            assert child.code not in seen
            seen.add(child.code)


@pytest.mark.django_db
def test_seed_taxonomy_is_idempotent_and_keeps_admin_edits():
    seed_taxonomy()
    tops = Category.objects.filter(parent=None)
    assert set(tops.values_list("code", flat=True)) == set(FIRST_LEVEL)
    for top in tops:
        assert 5 <= top.children.count() <= 10
    total = Category.objects.count()
    Category.objects.filter(code="CG01").update(name="噪音扰民", keywords="吵")
    assert seed_taxonomy() == 0
    assert Category.objects.count() == total
    assert Category.objects.get(code="CG01").keywords == "吵"
    Category.objects.filter(code="CG01").delete()
    assert seed_taxonomy() == 1
    assert Category.objects.get(code="CG01").parent.code == "CG"


# --- geography -------------------------------------------------------------------------


def test_counts(geo):
    assert len(geo.districts) == Unit.objects.filter(kind=UnitKind.DISTRICT).count() == 5
    assert {d.code for d in geo.districts} == {"DC", "XH", "GX", "BJ", "NS"}
    assert Unit.objects.filter(kind=UnitKind.STREET).count() >= 40
    assert Unit.objects.filter(kind=UnitKind.COMMUNITY).count() >= 200
    assert Unit.objects.filter(kind=UnitKind.SUB_CENTRE).count() == 3
    assert Unit.objects.filter(kind=UnitKind.DEPARTMENT, parent=geo.centre).count() >= 40
    assert Unit.objects.filter(
        kind__in=[UnitKind.DEPARTMENT, UnitKind.UTILITY], parent=geo.centre
    ).count() >= 40
    centre = Unit.objects.get(kind=UnitKind.CENTRE)
    assert (centre.code, centre.name) == ("YZ12345", "云州市12345市民服务热线中心")


def test_tree_shape_and_codes(geo):
    per_street = Counter(geo.unit(c.code).parent_id for c in geo.communities)
    assert all(n >= 5 for n in per_street.values()) and len(per_street) == len(geo.streets)
    per_community = Counter(g.parent_id for g in geo.grids)
    assert all(2 <= n <= 4 for n in per_community.values())
    assert len(per_community) == len(geo.communities)
    for street in Unit.objects.filter(kind=UnitKind.STREET).select_related("parent"):
        assert street.parent.kind == UnitKind.DISTRICT
        assert street.code[:2] == street.parent.code and len(street.code) == 4
    for grid in Unit.objects.filter(kind=UnitKind.GRID).select_related("parent"):
        assert grid.code[:6] == grid.parent.code and grid.name.startswith(grid.parent.name)
    ns = geo.unit("NS")
    assert all(s.name.endswith(("镇", "乡")) for s in geo.streets_of(ns))
    assert all(c.name.endswith("村") for s in geo.streets_of(ns) for c in geo.communities_of(s))
    dc = geo.unit("DC")
    assert all(s.name.endswith("街道") for s in geo.streets_of(dc))
    for sub in Unit.objects.filter(kind=UnitKind.SUB_CENTRE).select_related("serves"):
        assert sub.parent_id == geo.centre.pk and sub.serves.kind == UnitKind.DISTRICT
    assert {s.serves.code for s in Unit.objects.filter(kind=UnitKind.SUB_CENTRE)} == {
        "DC", "XH", "NS"}
    assert Unit.objects.filter(kind=UnitKind.UTILITY, name="云州水务集团").exists()
    assert geo.bureau("DC", "CGJ").name == "东城区城市管理局"


def test_path_and_depth_match_unit_save(db):
    units = {u.pk: u for u in Unit.objects.all()}
    for unit in units.values():
        parent = units.get(unit.parent_id)
        expected = (parent.path if parent else "/") + unit.code + "/"
        assert unit.path == expected, unit.code
        assert unit.depth == expected.count("/") - 2
    # Saving again through Unit.save changes nothing.
    street = Unit.objects.get(code="DC01")
    path, depth = street.path, street.depth
    street.save()
    street.refresh_from_db()
    assert (street.path, street.depth) == (path, depth) == ("/YZ12345/DC/DC01/", 2)
    grid = Unit.objects.get(code="DC010101")
    assert grid.is_within(street) and grid.territorial_ancestor(UnitKind.DISTRICT).code == "DC"


def test_every_community_has_compounds_with_buildings_nearby(geo):
    compounds = Counter(
        Place.objects.filter(kind=PlaceKind.COMPOUND).values_list("community_id", flat=True)
    )
    assert set(compounds) == {c.pk for c in geo.communities}
    assert all(1 <= n <= 4 for n in compounds.values())
    buildings = Counter(
        Place.objects.filter(kind=PlaceKind.BUILDING).values_list("parent_id", flat=True)
    )
    assert set(buildings) == {p.pk for p in geo.compounds}
    assert all(3 <= n <= 12 for n in buildings.values())
    units = {u.pk: u for u in Unit.objects.filter(kind__in=[UnitKind.COMMUNITY, UnitKind.GRID])}
    for place in Place.objects.all():
        community = units[place.community_id]
        assert place.lat is not None and place.lng is not None
        assert abs(place.lat - community.lat) < 0.02 and abs(place.lng - community.lng) < 0.02
        assert 29.8 < place.lat < 30.5 and 119.9 < place.lng < 120.3
        assert units[place.grid_id].parent_id == community.pk
    names = list(Place.objects.filter(kind=PlaceKind.COMPOUND).values_list("name", flat=True))
    assert len(names) == len(set(names))
    jinxiu = Place.objects.get(name="锦绣家园")
    assert jinxiu.community.name == "翠苑社区" and "锦绣" in jinxiu.aliases.split(",")
    first = jinxiu.children.get(name="1号楼")
    assert first.address == "锦绣家园1号楼" and first.grid_id == jinxiu.grid_id
    assert Place.objects.filter(kind=PlaceKind.ROAD).count() >= len(geo.streets)
    assert Place.objects.filter(kind=PlaceKind.LANDMARK).count() >= 2 * len(geo.streets)


def _wipe_city() -> None:
    Responsibility.objects.all().delete()
    User.objects.all().delete()
    Place.objects.filter(parent__isnull=False).delete()
    Place.objects.all().delete()
    Unit.objects.filter(kind=UnitKind.SUB_CENTRE).delete()
    for depth in (4, 3, 2, 1):
        Unit.objects.filter(depth=depth).delete()


def _snapshot(geo: Geography):
    return ([(c.code, c.name, c.lat, c.lng) for c in geo.communities],
            [(p.name, p.address, p.lat, p.lng, p.community.code) for p in geo.compounds])


def test_same_seed_same_city(geo):
    """Building from scratch twice with one seed gives the same city; the centre is reused;
    a second build on top of an existing city is refused."""
    centre = geo.centre
    with transaction.atomic():
        _wipe_city()
        first = build_geography(random.Random(99))
        assert first.centre.pk == centre.pk
        with pytest.raises(ValueError):
            build_geography(random.Random(99))
        snapshot = _snapshot(first)
        _wipe_city()
        second = build_geography(random.Random(99))
        assert _snapshot(second) == snapshot
        assert _snapshot(Geography.from_db()) == snapshot
        transaction.set_rollback(True)
    assert Unit.objects.filter(kind=UnitKind.GRID).count() == len(geo.grids)


# --- people ----------------------------------------------------------------------------


def test_every_role_has_a_demo_user(people):
    for role in Role:
        assert User.objects.filter(groups__name=role.value).exists(), role
    admin = people["admin"]
    assert admin.is_staff and admin.is_superuser and admin.check_password(PASSWORD)
    agent = User.objects.get(username="agent1")
    assert agent.display_name == "王芳" and agent.unit.kind == UnitKind.CENTRE
    assert agent.has_role(Role.AGENT) and not agent.has_role(Role.DISPATCHER)
    assert agent.check_password(PASSWORD)
    assert people["dc_dispatcher"].unit.kind == UnitKind.SUB_CENTRE
    assert people["dc01_handler"].unit.code == "DC01"
    assert people["dc01_leader"].has_role(Role.UNIT_LEADER)
    assert people["cgj_handler"].unit.name == "市城市管理局"
    assert people["dc_cgj_handler"].unit.code == "DC-CGJ"


def test_every_handling_unit_has_staff(geo, people):
    for unit in [*geo.streets, *geo.departments.values(), *geo.utilities.values()]:
        staff = {u.username for u in people.values() if u.unit_id == unit.pk}
        code = unit.code.lower().replace("-", "_")
        assert {f"{code}_handler", f"{code}_leader"} <= staff, unit.code
    users = User.objects.all()
    assert all(u.display_name and u.phone and u.unit_id for u in users)
    assert len({u.display_name for u in users}) == users.count()


def test_demo_accounts_match_the_database(people):
    assert len({a.username for a in DEMO_ACCOUNTS}) == len(DEMO_ACCOUNTS)
    labels = {str(r.label) for r in Role}
    for username, role, unit in DEMO_ACCOUNTS:
        user = people[username]
        assert role in labels and role in user.role_labels
        assert unit.endswith(user.unit.name), (username, unit, user.unit.name)


def test_build_people_twice_adds_nothing(geo, people):
    again = build_people(geo)
    assert set(again) == set(people)
    assert User.objects.count() == len(people)


# --- responsibility list ---------------------------------------------------------------


def test_every_category_resolves_to_a_lead(db):
    covered = set(
        Responsibility.objects.filter(area=None, audience=Audience.ALL)
        .values_list("category__code", flat=True)
    )
    for category in Category.objects.select_related("parent"):
        assert category.code in covered or category.parent.code in covered, category.code
    for duty in Responsibility.objects.all():
        assert bool(duty.lead_unit_id) != bool(duty.lead_level), duty
        levels = [x for x in duty.co_levels.split(",") if x]
        assert set(levels) <= {"district", "street", "community", "grid"}


def test_responsibility_examples(geo):

    def line(code, area=None, audience=Audience.ALL):
        return Responsibility.objects.get(category__code=code, area=area, audience=audience)

    assert line("SZ01").lead_unit.name == "云州水务集团"
    assert line("LD07").lead_unit.name == "市住房公积金管理中心"
    noise = line("CG01")
    assert noise.lead_level == "street" and "community" in noise.co_levels
    assert {u.code for u in noise.co_units.all()} == {"CGJ", "HBJ"}
    assert line("QY", audience=Audience.ENTERPRISE).lead_unit.code == "FGW"
    assert line("CG02", area=geo.unit("DC")).lead_unit.code == "DC-CGJ"
    assert line("CG01", area=geo.unit("DC01")).lead_level == "community"
    # Functional matters are never led by a grassroots level.
    for code in ("SZ01", "SZ03", "LD02", "JY01", "SC02"):
        assert line(code).lead_unit.kind in (UnitKind.DEPARTMENT, UnitKind.UTILITY)
    count = Responsibility.objects.count()
    assert build_responsibility_list(geo) == []
    assert Responsibility.objects.count() == count
