"""The demo city 云州市: its organisation tree and the places citizens mention.

``build_geography(rng)`` creates, in one transaction:

* the 12345 centre (YZ12345) with three district sub-centres;
* five districts (DC 东城区, XH 西湖区, GX 高新区, BJ 滨江区, NS 南山县) — the county's
  streets are towns 镇/乡 and its communities are villages 村 — with 44 streets, 5–7
  communities per street and 2–4 grids per community;
* the city's departments 委办局, a few district bureaus and the public-service companies;
* 1–4 residential compounds per community with 3–12 buildings each, and roads and
  landmarks per street, every one with coordinates near its community.

Everything random comes from the ``rng`` passed in, so one seed always gives the same city.
Unit codes nest: district DC, street DC01, community DC0103, grid DC010302. The tree is
written with ``bulk_create``, which bypasses ``Unit.save``; ``_unit`` fills ``path`` and
``depth`` exactly as ``Unit.save`` does.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import transaction

from minhu.org.kinds import PlaceKind, UnitKind
from minhu.org.models import Place, Unit

CITY_NAME = "云州市"
CENTRE_CODE = "YZ12345"
CENTRE_NAME = "云州市12345市民服务热线中心"
CITY_CENTRE = (30.25, 120.15)
AREA_CODE = "0570"


class DistrictSpec(NamedTuple):
    code: str
    name: str
    lat: float  # centre point
    lng: float
    span: float  # side, in degrees, of the square the district covers
    rural: bool  # a county: towns 镇/乡 and villages 村
    streets: tuple[str, ...]


DISTRICTS: tuple[DistrictSpec, ...] = (
    DistrictSpec("DC", "东城区", 30.28, 120.17, 0.08, False, (
        "文昌街道", "锦绣街道", "朝阳街道", "东湖街道", "凤凰街道", "长庆街道", "和平街道",
        "望江街道", "紫阳街道",
    )),
    DistrictSpec("XH", "西湖区", 30.26, 120.08, 0.08, False, (
        "湖滨街道", "西溪街道", "玉泉街道", "云栖街道", "桂湖街道", "柳浪街道", "南屏街道",
        "宝石街道", "金沙街道",
    )),
    DistrictSpec("GX", "高新区", 30.36, 120.10, 0.08, False, (
        "科创街道", "智慧街道", "星光街道", "云谷街道", "长河街道", "聚才街道", "明德街道",
        "创新街道",
    )),
    DistrictSpec("BJ", "滨江区", 30.18, 120.20, 0.08, False, (
        "江畔街道", "浦沿街道", "白沙街道", "观澜街道", "潮鸣街道", "海棠街道", "月湾街道",
        "双桥街道",
    )),
    DistrictSpec("NS", "南山县", 30.02, 120.06, 0.22, True, (
        "青石镇", "南溪镇", "桃花镇", "白云镇", "龙潭镇", "云台乡", "石门乡", "清泉镇",
        "双溪乡", "松岭镇",
    )),
)

# Districts busy enough to run their own dispatch sub-centre (嘉峪关: 1 platform + 3).
SUB_CENTRE_DISTRICTS = ("DC", "XH", "NS")

# code, name, short name. The codes are the keys of ``Geography.departments``.
DEPARTMENTS: tuple[tuple[str, str, str], ...] = (
    ("CGJ", "市城市管理局", "城管局"),
    ("HBJ", "市生态环境局", "生态环境局"),
    ("ZJJ", "市住房和城乡建设局", "住建局"),
    ("FGJ", "市住房保障和房产管理局", "房管局"),
    ("JTJ", "市交通运输局", "交通运输局"),
    ("RSJ", "市人力资源和社会保障局", "人社局"),
    ("JYJ", "市教育局", "教育局"),
    ("WJW", "市卫生健康委员会", "卫健委"),
    ("SJJ", "市市场监督管理局", "市场监管局"),
    ("GAJ", "市公安局", "公安局"),
    ("JJZD", "市公安局交通警察支队", "交警支队"),
    ("XFZD", "市消防救援支队", "消防支队"),
    ("YJJ", "市应急管理局", "应急管理局"),
    ("MZJ", "市民政局", "民政局"),
    ("NYJ", "市农业农村局", "农业农村局"),
    ("ZGJ", "市自然资源和规划局", "自然资源和规划局"),
    # The business-environment office 营商环境办 sits in the development commission.
    ("FGW", "市发展和改革委员会", "发改委（营商办）"),
    ("ZWJ", "市政务服务管理局", "政务服务局"),
    ("WLJ", "市文化广电旅游局", "文广旅局"),
    ("TYJ", "市体育局", "体育局"),
    ("SWJ", "市水务局", "水务局"),
    ("GJJ", "市住房公积金管理中心", "公积金中心"),
    ("YBJ", "市医疗保障局", "医保局"),
    ("TJJ", "市退役军人事务局", "退役军人局"),
    ("JXJ", "市经济和信息化局", "经信局"),
    ("SWUJ", "市商务局", "商务局"),
    ("CZJ", "市财政局", "财政局"),
    ("TAX", "国家税务总局云州市税务局", "税务局"),
    ("SFJ", "市司法局", "司法局"),
    ("XFJ", "市信访局", "信访局"),
    ("YLJ", "市园林绿化局", "园林局"),
    ("RFB", "市人民防空办公室", "人防办"),
    ("JRJ", "市地方金融管理局", "金融局"),
    ("KJJ", "市科学技术局", "科技局"),
    ("GZW", "市人民政府国有资产监督管理委员会", "国资委"),
    ("TXB", "市通信管理办公室", "通管办"),
    ("YZGLJ", "市邮政管理局", "邮政管理局"),
    ("QXJ", "市气象局", "气象局"),
    ("YCJ", "市烟草专卖局", "烟草专卖局"),
    ("MZZJ", "市民族宗教事务局", "民宗局"),
    ("ZGH", "市总工会", "总工会"),
    ("FL", "市妇女联合会", "妇联"),
    ("CL", "市残疾人联合会", "残联"),
)

UTILITIES: tuple[tuple[str, str, str], ...] = (
    ("WATER", "云州水务集团", "水务集团"),
    ("POWER", "国网云州供电公司", "供电公司"),
    ("GAS", "云州燃气集团", "燃气集团"),
    ("HEAT", "云州热力公司", "热力公司"),
    ("TELECOM", "中国电信云州分公司", "中国电信"),
    ("MOBILE", "中国移动云州分公司", "中国移动"),
    ("UNICOM", "中国联通云州分公司", "中国联通"),
    ("BUS", "云州公交集团", "公交集团"),
    ("METRO", "云州地铁集团", "地铁集团"),
    ("POST", "中国邮政云州分公司", "中国邮政"),
)

# Bureaus every district has under its own government; code "DC-CGJ", name "东城区城市管理局".
DISTRICT_BUREAUS: tuple[tuple[str, str, str], ...] = (
    ("CGJ", "城市管理局", "城管局"),
    ("ZJJ", "住房和城乡建设局", "住建局"),
    ("SJJ", "市场监督管理局", "市场监管局"),
)

# A few communities and compounds have fixed names so that demo scripts, the README and the
# demo accounts can refer to them; the rest is generated.
FIXED_COMMUNITIES = {
    "DC0101": "翠苑", "XH0101": "柳岸", "GX0101": "星河", "BJ0101": "春江", "NS0101": "桃源",
}
FIXED_COMPOUNDS = {"DC0101": ("锦绣家园", "翠苑小区")}

_URBAN_FIRST = "翠锦桃文青金华新安和松竹梅兰春明丰瑞嘉泰康福兴永景紫银清德仁友宝庆"
_URBAN_SECOND = "苑园林湾溪桥坊里湖庄塘城岸畔亭"
_RURAL_FIRST = "桃石柳杨梅竹松枫栗茶稻樟荷杏龙凤马鹤鹿云霞黄乌沙"
_RURAL_SECOND = "源坑口岭坞湾溪塘桥山田坪坂洋垟"

_COMPOUND_PREFIXES = (
    "阳光", "锦绣", "金色", "幸福", "和平", "紫金", "东方", "碧水", "翡翠", "星河", "时代",
    "世纪", "江南", "御景", "香樟", "丽景", "万福", "天逸", "枫林", "梧桐", "蓝湾", "嘉禾",
    "书香", "明月", "康乐", "怡和", "金桂", "银杏", "玉兰", "水岸", "绿洲", "名都", "学府",
    "恒昌", "盛世", "鸿福", "九龙", "白鹭", "滨湖", "锦华",
)
_COMPOUND_SUFFIXES = (
    "家园", "花园", "小区", "公寓", "华庭", "名苑", "新村", "雅苑", "嘉园", "府", "公馆",
    "佳苑", "城",
)
_VILLAGE_COMPOUNDS = ("新村", "家园", "安置小区", "农居点")

_ROAD_ROOTS = (
    "人民", "解放", "建设", "中山", "延安", "学院", "体育", "胜利", "青年", "工农", "光明",
    "新华", "朝晖", "环城东", "环城西", "凤起", "庆丰", "平安", "湖墅", "运河", "滨河",
    "长江", "黄河", "秋涛", "复兴", "钱江", "天城", "东新", "文汇", "育才", "健康",
    "兴业", "富春", "振兴", "迎宾", "园林", "石桥", "香积", "科技", "创业", "江晖",
    "古墩", "丰收", "南岸", "北塘", "西园", "东园",
)
_ROAD_TYPES = ("路", "街", "大道")

_URBAN_LANDMARKS = ("{root}公园", "{root}农贸市场", "{root}小学", "{street}社区卫生服务中心",
                    "{root}文化广场", "{root}地铁站", "{root}体育馆")
_RURAL_LANDMARKS = ("{street}卫生院", "{street}中心小学", "{street}农贸市场", "{street}客运站",
                    "{street}文化礼堂", "{root}水库")


@dataclass
class Geography:
    """Handles on what ``build_geography`` created."""

    centre: Unit
    sub_centres: list[Unit]
    districts: list[Unit]
    streets: list[Unit]
    communities: list[Unit]
    grids: list[Unit]
    departments: dict[str, Unit]  # city departments by code: "CGJ" → 市城市管理局
    utilities: dict[str, Unit]  # "WATER" → 云州水务集团
    district_bureaus: dict[str, Unit]  # "DC-CGJ" → 东城区城市管理局
    compounds: list[Place]
    buildings: list[Place]
    roads: list[Place]
    landmarks: list[Place]
    _by_code: dict[str, Unit] = field(default_factory=dict, repr=False)
    _children: dict[int, list[Unit]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for unit in self.all_units():
            self._by_code[unit.code] = unit
            if unit.parent_id:
                self._children.setdefault(unit.parent_id, []).append(unit)

    @classmethod
    def from_db(cls) -> Geography:
        """The handles for a city already in the database (built earlier, perhaps by
        another process)."""
        # Same order as build_geography: district by district as DISTRICTS lists them.
        order = {d.code: i for i, d in enumerate(DISTRICTS)}
        units = sorted(Unit.objects.all(),
                       key=lambda u: (order.get(u.code[:2], len(order)), u.code))
        by_kind: dict[str, list[Unit]] = {}
        for unit in units:
            by_kind.setdefault(unit.kind, []).append(unit)
        districts = by_kind.get(UnitKind.DISTRICT, [])
        centre = next(u for u in by_kind[UnitKind.CENTRE] if u.code == CENTRE_CODE)
        departments = by_kind.get(UnitKind.DEPARTMENT, [])
        places = list(Place.objects.select_related("community").order_by("pk"))

        def places_of(kind: str) -> list[Place]:
            return [p for p in places if p.kind == kind]

        return cls(
            centre=centre,
            sub_centres=by_kind.get(UnitKind.SUB_CENTRE, []),
            districts=districts, streets=by_kind.get(UnitKind.STREET, []),
            communities=by_kind.get(UnitKind.COMMUNITY, []),
            grids=by_kind.get(UnitKind.GRID, []),
            departments={u.code: u for u in departments if u.parent_id == centre.pk},
            utilities={u.code: u for u in by_kind.get(UnitKind.UTILITY, [])},
            district_bureaus={u.code: u for u in departments if u.parent_id != centre.pk},
            compounds=places_of(PlaceKind.COMPOUND), buildings=places_of(PlaceKind.BUILDING),
            roads=places_of(PlaceKind.ROAD), landmarks=places_of(PlaceKind.LANDMARK),
        )

    def all_units(self) -> list[Unit]:
        return [
            self.centre, *self.sub_centres, *self.districts, *self.streets, *self.communities,
            *self.grids, *self.departments.values(), *self.utilities.values(),
            *self.district_bureaus.values(),
        ]

    def unit(self, code: str) -> Unit:
        """Any unit by code ("DC0103", "CGJ", "DC-CGJ")."""
        return self._by_code[code]

    def children_of(self, unit: Unit, kind: str | None = None) -> list[Unit]:
        return [u for u in self._children.get(unit.pk, []) if kind is None or u.kind == kind]

    def streets_of(self, district: Unit) -> list[Unit]:
        return self.children_of(district, UnitKind.STREET)

    def communities_of(self, street: Unit) -> list[Unit]:
        return self.children_of(street, UnitKind.COMMUNITY)

    def grids_of(self, community: Unit) -> list[Unit]:
        return self.children_of(community, UnitKind.GRID)

    def bureau(self, district: Unit | str, key: str) -> Unit:
        """A district bureau: ``geo.bureau("DC", "CGJ")`` → 东城区城市管理局."""
        code = district if isinstance(district, str) else district.code
        return self.district_bureaus[f"{code}-{key}"]

    def sub_centre_for(self, district: Unit) -> Unit | None:
        return next((s for s in self.sub_centres if s.serves_id == district.pk), None)


def _unit(code: str, name: str, kind: str, parent: Unit | None, **fields) -> Unit:
    """An unsaved Unit with ``path`` and ``depth`` computed as ``Unit.save`` does."""
    path = (parent.path if parent else "/") + code + "/"
    return Unit(code=code, name=name, kind=kind, parent=parent, path=path,
                depth=path.count("/") - 2, **fields)


def _phone(rng: random.Random) -> str:
    return f"{AREA_CODE}-{rng.randint(81000000, 89999999)}"


def _cells(count: int, lat: float, lng: float, span: float, rng: random.Random):
    """Spread ``count`` points over a square of side ``span`` around (lat, lng): a k×k
    layout with a little jitter. Returns [(lat, lng)] and the side of one cell."""
    k = max(1, math.ceil(math.sqrt(count)))
    cell = span / k
    points = []
    for i in range(count):
        row, col = divmod(i, k)
        points.append((
            round(lat - span / 2 + (row + 0.5 + rng.uniform(-0.1, 0.1)) * cell, 6),
            round(lng - span / 2 + (col + 0.5 + rng.uniform(-0.1, 0.1)) * cell, 6),
        ))
    return points, cell


def _near(lat: float, lng: float, radius: float, rng: random.Random) -> tuple[float, float]:
    return (round(lat + rng.uniform(-radius, radius), 6),
            round(lng + rng.uniform(-radius, radius), 6))


class _Names:
    """Unique generated names: community roots, compounds and roads."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        reserved = set(FIXED_COMMUNITIES.values())
        self.urban_roots = self._pool(_URBAN_FIRST, _URBAN_SECOND, reserved)
        self.rural_roots = self._pool(_RURAL_FIRST, _RURAL_SECOND, reserved)
        self.compound_pool = self._pool(_COMPOUND_PREFIXES, _COMPOUND_SUFFIXES, set())
        self.road_pool = self._pool(_ROAD_ROOTS, _ROAD_TYPES, set())
        self.used_places: set[str] = {n for names in FIXED_COMPOUNDS.values() for n in names}

    def _pool(self, firsts, seconds, reserved) -> list[tuple[str, str]]:
        pool = [(a, b) for a in firsts for b in seconds if a + b not in reserved]
        self.rng.shuffle(pool)
        return pool

    def community_root(self, rural: bool) -> str:
        pool = self.rural_roots if rural else self.urban_roots
        a, b = pool.pop()
        return a + b

    def take(self, pool: list[tuple[str, str]]) -> tuple[str, str] | None:
        while pool:
            prefix, suffix = pool.pop()
            if prefix + suffix not in self.used_places:
                self.used_places.add(prefix + suffix)
                return prefix, suffix
        return None

    def claim(self, name: str) -> bool:
        if name in self.used_places:
            return False
        self.used_places.add(name)
        return True


def _street_root(name: str) -> str:
    for suffix in ("街道", "镇", "乡"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _compound_aliases(prefix: str, suffix: str) -> str:
    name = prefix + suffix
    if suffix == "小区":
        return prefix
    return f"{name}小区,{prefix}"


@transaction.atomic
def build_geography(rng: random.Random) -> Geography:
    """Create the demo city's organisation tree and places (expects none of it to exist
    yet, except perhaps the centre unit, which is reused)."""
    if Unit.objects.filter(code__in=[d.code for d in DISTRICTS]).exists():
        raise ValueError("the demo city already exists: its district codes are taken")
    names = _Names(rng)

    centre = Unit.objects.filter(code=CENTRE_CODE).first()
    if centre is None:
        centre = Unit(code=CENTRE_CODE, name=CENTRE_NAME, kind=UnitKind.CENTRE,
                      short_name="12345中心", contact_phone="12345",
                      lat=CITY_CENTRE[0], lng=CITY_CENTRE[1])
        centre.save()

    # Districts, departments and companies hang directly under the centre.
    districts = Unit.objects.bulk_create([
        _unit(d.code, d.name, UnitKind.DISTRICT, centre, lat=d.lat, lng=d.lng,
              contact_phone=_phone(rng))
        for d in DISTRICTS
    ])
    district_by_code = {d.code: d for d in districts}
    functional = []
    for kind, rows in ((UnitKind.DEPARTMENT, DEPARTMENTS), (UnitKind.UTILITY, UTILITIES)):
        for code, name, short in rows:
            lat, lng = _near(*CITY_CENTRE, 0.03, rng)
            functional.append(_unit(code, name, kind, centre, short_name=short,
                                    contact_phone=_phone(rng), lat=lat, lng=lng))
    Unit.objects.bulk_create(functional)
    departments = {u.code: u for u in functional if u.kind == UnitKind.DEPARTMENT}
    utilities = {u.code: u for u in functional if u.kind == UnitKind.UTILITY}
    sub_centres = Unit.objects.bulk_create([
        _unit(f"{code}-FZX", f"{district_by_code[code].name}12345分中心", UnitKind.SUB_CENTRE,
              centre, short_name=f"{district_by_code[code].name}分中心",
              serves=district_by_code[code], contact_phone=_phone(rng),
              lat=district_by_code[code].lat, lng=district_by_code[code].lng)
        for code in SUB_CENTRE_DISTRICTS
    ])
    bureaus = Unit.objects.bulk_create([
        _unit(f"{district.code}-{key}", district.name + name, UnitKind.DEPARTMENT, district,
              short_name=district.name[:2] + short, contact_phone=_phone(rng),
              lat=district.lat, lng=district.lng)
        for district in districts
        for key, name, short in DISTRICT_BUREAUS
    ])

    # Streets, then communities, then grids: each level laid out inside its parent's cell.
    street_units: list[Unit] = []
    street_cell: dict[str, float] = {}
    spec_of = {d.code: d for d in DISTRICTS}
    for spec, district in zip(DISTRICTS, districts, strict=True):
        points, cell = _cells(len(spec.streets), spec.lat, spec.lng, spec.span, rng)
        for i, (name, (lat, lng)) in enumerate(zip(spec.streets, points, strict=True), start=1):
            street_units.append(_unit(f"{spec.code}{i:02d}", name, UnitKind.STREET, district,
                                      lat=lat, lng=lng, contact_phone=_phone(rng)))
            street_cell[street_units[-1].code] = cell
    streets = Unit.objects.bulk_create(street_units)

    community_units: list[Unit] = []
    community_cell: dict[str, float] = {}
    for street in streets:
        rural = spec_of[street.code[:2]].rural
        count = rng.randint(5, 7)
        points, cell = _cells(count, street.lat, street.lng, street_cell[street.code], rng)
        for i, (lat, lng) in enumerate(points, start=1):
            code = f"{street.code}{i:02d}"
            root = FIXED_COMMUNITIES.get(code) or names.community_root(rural)
            community_units.append(_unit(code, root + ("村" if rural else "社区"),
                                         UnitKind.COMMUNITY, street, lat=lat, lng=lng,
                                         short_name=root, contact_phone=_phone(rng)))
            community_cell[code] = cell
    communities = Unit.objects.bulk_create(community_units)

    grid_units: list[Unit] = []
    for community in communities:
        radius = community_cell[community.code] / 4
        for i in range(1, rng.randint(2, 4) + 1):
            lat, lng = _near(community.lat, community.lng, radius, rng)
            grid_units.append(_unit(f"{community.code}{i:02d}", f"{community.name}第{i}网格",
                                    UnitKind.GRID, community, lat=lat, lng=lng))
    grids = Unit.objects.bulk_create(grid_units)

    geo = Geography(
        centre=centre, sub_centres=sub_centres, districts=districts, streets=streets,
        communities=communities, grids=grids, departments=departments, utilities=utilities,
        district_bureaus={u.code: u for u in bureaus}, compounds=[], buildings=[], roads=[],
        landmarks=[],
    )
    _build_places(geo, names, community_cell, rng)
    return geo


def _build_places(geo: Geography, names: _Names, community_cell: dict[str, float],
                  rng: random.Random) -> None:
    district_of = {d.pk: d for d in geo.districts}
    rural_districts = {d.code for d in DISTRICTS if d.rural}
    roads: list[Place] = []
    landmarks: list[Place] = []
    compounds: list[Place] = []

    def place(kind, name, community, radius, **fields) -> Place:
        lat, lng = _near(community.lat, community.lng, radius, rng)
        return Place(kind=kind, name=name, community=community,
                     grid=rng.choice(geo.grids_of(community)), lat=lat, lng=lng, **fields)

    for street in geo.streets:
        district = district_of[street.parent_id]
        rural = district.code in rural_districts
        root = _street_root(street.name)
        members = geo.communities_of(street)
        radius = community_cell[members[0].code] * 0.4

        # Roads: one named after the street (streets are often named after a road), more
        # from the pool.
        own_road = root + ("大道" if street.name.endswith("镇") else "路")
        road_names = [own_road] if names.claim(own_road) else []
        for _ in range(rng.randint(2, 3)):
            picked = names.take(names.road_pool)
            if picked:
                road_names.append("".join(picked))
        street_roads = [
            place(PlaceKind.ROAD, road_name, rng.choice(members), radius,
                  address=district.name + road_name)
            for road_name in road_names
        ]
        roads.extend(street_roads)

        templates = _RURAL_LANDMARKS if rural else _URBAN_LANDMARKS
        for template in rng.sample(templates, rng.randint(2, 4)):
            name = template.format(root=root, street=street.name)
            if names.claim(name):
                landmarks.append(place(PlaceKind.LANDMARK, name, rng.choice(members), radius,
                                       address=district.name + street.name + name))

        for community in members:
            for prefix, suffix in _compound_names(community, rural, names, rng):
                road = rng.choice(street_roads) if street_roads else None
                address = (f"{district.name}{road.name}{rng.randint(1, 399)}号{prefix}{suffix}"
                           if road else f"{district.name}{street.name}{prefix}{suffix}")
                compounds.append(place(PlaceKind.COMPOUND, prefix + suffix, community, radius,
                                       aliases=_compound_aliases(prefix, suffix),
                                       address=address))

    Place.objects.bulk_create(compounds)
    buildings: list[Place] = []
    for compound in compounds:
        radius = community_cell[compound.community.code] * 0.05
        for i in range(1, rng.randint(3, 12) + 1):
            lat, lng = _near(compound.lat, compound.lng, radius, rng)
            buildings.append(Place(
                kind=PlaceKind.BUILDING, name=f"{i}号楼", aliases=f"{i}栋,{i}幢",
                parent=compound, address=f"{compound.name}{i}号楼",
                community=compound.community, grid=compound.grid, lat=lat, lng=lng,
            ))
    Place.objects.bulk_create([*buildings, *roads, *landmarks])
    geo.compounds.extend(compounds)
    geo.buildings.extend(buildings)
    geo.roads.extend(roads)
    geo.landmarks.extend(landmarks)


def _compound_names(community: Unit, rural: bool, names: _Names,
                    rng: random.Random) -> list[tuple[str, str]]:
    """1–4 compound names for a community, as (prefix, suffix) pairs."""
    fixed = FIXED_COMPOUNDS.get(community.code)
    if fixed:
        return [_split_compound(name) for name in fixed]
    root = community.short_name
    count = rng.randint(1, 4)
    if rural:
        return [(root, suffix) for suffix in rng.sample(_VILLAGE_COMPOUNDS, count)
                if names.claim(root + suffix)]
    result = []
    # Older compounds often carry the community's name ("翠苑小区" in 翠苑社区).
    if rng.random() < 0.6:
        suffix = rng.choice(("小区", "新村", "花园"))
        if root[-1] not in suffix and names.claim(root + suffix):  # not "紫园花园"
            result.append((root, suffix))
    while len(result) < count:
        picked = names.take(names.compound_pool)
        if picked is None:  # the pool ran dry: fall back on the community's own name
            picked = next(((root, s) for s in _COMPOUND_SUFFIXES if names.claim(root + s)),
                          None)
            if picked is None:
                break
        result.append(picked)
    return result


def _split_compound(name: str) -> tuple[str, str]:
    for suffix in sorted(_COMPOUND_SUFFIXES, key=len, reverse=True):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)], suffix
    return name, ""
