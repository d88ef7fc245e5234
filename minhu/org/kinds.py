from django.utils.translation import gettext_lazy as _

from minhu.core.choices import Choices


class UnitKind(Choices):
    CENTRE = "centre", _("12345 市级中心")
    SUB_CENTRE = "sub_centre", _("分中心")
    DISTRICT = "district", _("区/县")
    STREET = "street", _("街道/乡镇")
    COMMUNITY = "community", _("社区/村")
    GRID = "grid", _("网格")
    DEPARTMENT = "department", _("委办局")
    UTILITY = "utility", _("公共服务企业")


# The territorial chain, top to bottom: an order's jurisdiction names one unit per level.
TERRITORIAL_LEVELS = (UnitKind.DISTRICT, UnitKind.STREET, UnitKind.COMMUNITY, UnitKind.GRID)
# Units that dispatch (receive from citizens or the centre and route onwards).
DISPATCH_KINDS = frozenset({UnitKind.CENTRE, UnitKind.SUB_CENTRE})
# Functional units: their matters may never be pushed down to grassroots units.
FUNCTIONAL_KINDS = frozenset({UnitKind.DEPARTMENT, UnitKind.UTILITY})
GRASSROOTS_KINDS = frozenset({UnitKind.STREET, UnitKind.COMMUNITY, UnitKind.GRID})


class PlaceKind(Choices):
    COMPOUND = "compound", _("小区/院落")
    BUILDING = "building", _("楼栋")
    ROAD = "road", _("道路")
    LANDMARK = "landmark", _("地标")
