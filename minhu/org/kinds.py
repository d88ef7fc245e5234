from minhu.core.choices import Choices


class UnitKind(Choices):
    CENTRE = "centre", "12345 市级中心"
    SUB_CENTRE = "sub_centre", "分中心"
    DISTRICT = "district", "区/县"
    STREET = "street", "街道/乡镇"
    COMMUNITY = "community", "社区/村"
    GRID = "grid", "网格"
    DEPARTMENT = "department", "委办局"
    UTILITY = "utility", "公共服务企业"


# The territorial chain, top to bottom: an order's jurisdiction names one unit per level.
TERRITORIAL_LEVELS = (UnitKind.DISTRICT, UnitKind.STREET, UnitKind.COMMUNITY, UnitKind.GRID)
# Units that dispatch (receive from citizens or the centre and route onwards).
DISPATCH_KINDS = frozenset({UnitKind.CENTRE, UnitKind.SUB_CENTRE})
# Functional units: their matters may never be pushed down to grassroots units.
FUNCTIONAL_KINDS = frozenset({UnitKind.DEPARTMENT, UnitKind.UTILITY})
GRASSROOTS_KINDS = frozenset({UnitKind.STREET, UnitKind.COMMUNITY, UnitKind.GRID})


class PlaceKind(Choices):
    COMPOUND = "compound", "小区/院落"
    BUILDING = "building", "楼栋"
    ROAD = "road", "道路"
    LANDMARK = "landmark", "地标"
