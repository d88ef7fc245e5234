"""The demo city's responsibility list 权责清单 over the city taxonomy.

How the list is drawn up (one rule for the whole table):

* **Functional matters 职能类** — a department's or a company's own service (water supply,
  pensions, school places, food safety …) — are led by that fixed unit. They are never
  pushed down to grassroots units; at most a street or community assists (``co_levels``).
* **Territorial matters 属地类** — problems that happen at a place and are solved on the
  spot (noise, street vending, rubbish, illegal building, property management, neighbour
  disputes …) — are led by the **street** the place lies in, with the **community**
  assisting and the department holding the enforcement power reporting in as co-handler
  (街乡吹哨、部门报到). E.g. 噪声扰民: the street leads; 市城市管理局 and 市生态环境局
  assist; the community helps on the ground.
* Every first-level category has a **fallback** row (its category is the first level), so
  any second-level category without a row of its own still resolves to a lead.
* A few **area overrides** show that a district or street row beats the city-wide one
  (and an ``enterprise`` row beats ``all`` for enterprise requests).
"""

from __future__ import annotations

from typing import NamedTuple

from django.db import transaction

from minhu.catalog.models import Audience, Category, Responsibility
from minhu.catalog.taxonomy import seed_taxonomy
from minhu.org.kinds import TERRITORIAL_LEVELS

from .geography import Geography

_LEVELS = {level.value for level in TERRITORIAL_LEVELS}
STREET = "street"
COMMUNITY = "community"


class Duty(NamedTuple):
    category: str  # category code, either level
    lead: str  # a unit code ("CGJ", "WATER", "DC-CGJ") or a territorial level ("street")
    co_units: tuple[str, ...] = ()
    co_levels: str = ""
    area: str | None = None  # a district or street code; None = the whole city
    audience: str = Audience.ALL
    note: str = ""


def _territorial(code: str, *co_units: str, note: str = "") -> Duty:
    """A territorial matter: the street leads, the community and the departments assist."""
    return Duty(code, STREET, co_units, COMMUNITY, note=note or "属地主责，部门报到")


DUTIES: tuple[Duty, ...] = (
    # --- First-level fallbacks: every category resolves to somebody -------------------
    Duty("CJ", "ZJJ", co_levels=STREET, note="兜底"),
    Duty("SZ", "CGJ", co_levels=STREET, note="兜底：市政公用设施由城管部门统筹"),
    Duty("CG", "CGJ", co_levels=STREET, note="兜底"),
    Duty("HB", "HBJ", note="兜底"),
    Duty("JT", "JTJ", note="兜底"),
    Duty("LD", "RSJ", note="兜底"),
    Duty("JY", "JYJ", note="兜底"),
    Duty("WS", "WJW", note="兜底"),
    Duty("SC", "SJJ", note="兜底"),
    Duty("GA", "GAJ", note="兜底"),
    Duty("MZ", "MZJ", co_levels=STREET, note="兜底"),
    Duty("NY", "NYJ", co_levels=STREET, note="兜底"),
    Duty("QY", "FGW", note="兜底：营商环境办统筹"),
    Duty("QY", "FGW", audience=Audience.ENTERPRISE, note="企业诉求由营商环境办统筹协调"),
    Duty("ZW", "ZWJ", note="兜底"),
    Duty("WL", "WLJ", note="兜底"),
    Duty("QT", STREET, co_levels=COMMUNITY, note="兜底：无明确职能部门的由属地街道兜底"),

    # --- 城乡建设与住房 ------------------------------------------------------------------
    _territorial("CJ01", "FGJ", note="物业监管：街道主责，房管部门指导"),
    Duty("CJ02", "FGJ"),
    Duty("CJ03", "FGJ", ("ZGJ",), note="不动产登记由自然资源和规划局协办"),
    Duty("CJ04", "ZJJ", co_levels=STREET),
    Duty("CJ05", "FGJ"),
    Duty("CJ06", "ZJJ", co_levels="street,community"),
    Duty("CJ07", "SJJ", ("FGJ",), COMMUNITY, note="电梯属特种设备，市场监管部门主办"),
    Duty("CJ08", "ZJJ"),
    # --- 市政公用: the companies lead their own service ---------------------------------
    Duty("SZ01", "WATER", ("SWJ",)),
    Duty("SZ02", "WATER", ("SWJ",)),
    Duty("SZ03", "POWER"),
    Duty("SZ04", "GAS", ("ZJJ",)),
    Duty("SZ05", "HEAT", ("ZJJ",)),
    Duty("SZ06", "CGJ", co_levels=STREET),
    Duty("SZ07", "TXB", note="由通信管理办公室督促运营商办理"),
    Duty("SZ08", "CGJ"),
    # --- 城市管理 -----------------------------------------------------------------------
    _territorial("CG01", "CGJ", "HBJ"),
    _territorial("CG02", "CGJ"),
    _territorial("CG03", "CGJ", "ZGJ"),
    _territorial("CG04", "CGJ"),
    Duty("CG05", "CGJ", ("ZJJ", "HBJ"), STREET),
    _territorial("CG06", "CGJ"),
    Duty("CG07", "YLJ", co_levels=STREET),
    Duty("CG08", "CGJ", ("WATER", "GAS", "TELECOM"), note="按井盖权属单位协办"),
    _territorial("CG09", "CGJ", "JTJ"),
    _territorial("CG10", "CGJ", "HBJ"),
    # --- 生态环境 -----------------------------------------------------------------------
    Duty("HB01", "HBJ", co_levels=STREET),
    Duty("HB02", "HBJ", ("SWJ",)),
    Duty("HB03", "HBJ"),
    Duty("HB04", "HBJ"),
    Duty("HB05", "HBJ", ("TXB",)),
    Duty("HB06", "HBJ"),
    # --- 交通运输 -----------------------------------------------------------------------
    Duty("JT01", "BUS", ("JTJ",)),
    Duty("JT02", "JTJ"),
    Duty("JT03", "JJZD", ("CGJ",), STREET),
    Duty("JT04", "JJZD", ("JTJ",)),
    Duty("JT05", "JTJ", ("CGJ",)),
    Duty("JT06", "METRO", ("JTJ",)),
    Duty("JT07", "JTJ"),
    # --- 劳动和社会保障 -----------------------------------------------------------------
    Duty("LD01", "RSJ", co_levels=STREET, note="劳动保障监察主办，街道劳动保障所协办"),
    Duty("LD02", "RSJ", ("TAX",), note="社保费由税务部门征收"),
    Duty("LD03", "RSJ"),
    Duty("LD04", "YBJ"),
    Duty("LD05", "RSJ"),
    Duty("LD06", "RSJ", ("ZGH",)),
    Duty("LD07", "GJJ"),
    Duty("LD08", "RSJ"),
    # --- 教育 ---------------------------------------------------------------------------
    Duty("JY01", "JYJ"),
    Duty("JY02", "JYJ", ("SJJ",)),
    Duty("JY03", "JYJ", ("SJJ",)),
    Duty("JY04", "JYJ"),
    Duty("JY05", "JYJ", ("SJJ",)),
    Duty("JY06", "JYJ", ("WJW",), note="托育机构由卫生健康部门协办"),
    Duty("JY07", "JYJ"),
    # --- 卫生健康 -----------------------------------------------------------------------
    Duty("WS01", "WJW"),
    Duty("WS02", "YBJ", ("WJW",), note="医疗服务价格由医保部门管理"),
    Duty("WS03", "WJW"),
    Duty("WS04", "WJW", ("SJJ",)),
    Duty("WS05", "WJW"),
    Duty("WS06", "WJW"),
    Duty("WS07", "WJW", co_levels=STREET),
    # --- 市场监管 -----------------------------------------------------------------------
    Duty("SC01", "SJJ"),
    Duty("SC02", "SJJ"),
    Duty("SC03", "SJJ", ("FGW",)),
    Duty("SC04", "SJJ"),
    Duty("SC05", "SJJ"),
    Duty("SC06", "SJJ", ("ZWJ",)),
    Duty("SC07", "SJJ", ("SWUJ",)),
    # --- 公共安全与应急 -----------------------------------------------------------------
    Duty("GA01", "GAJ"),
    Duty("GA02", "JJZD"),
    Duty("GA03", "GAJ"),
    Duty("GA04", "XFZD", co_levels="street,community", note="楼道堆物等由属地协同清理"),
    Duty("GA05", "YJJ", co_levels=STREET),
    Duty("GA06", "YJJ", ("SWJ", "ZGJ"), STREET),
    Duty("GA07", "GAJ"),
    # --- 民政与社会服务 -----------------------------------------------------------------
    Duty("MZ01", "MZJ", co_levels=STREET),
    _territorial("MZ02", "MZJ", note="低保、救助申请由街道受理，民政部门审核"),
    Duty("MZ03", "CL"),
    Duty("MZ04", "MZJ"),
    Duty("MZ05", "MZJ"),
    Duty("MZ06", "TJJ"),
    _territorial("MZ07", "SFJ", note="邻里纠纷：街道主责，社区调解，司法所协办"),
    Duty("MZ08", "FL", ("MZJ", "GAJ")),
    # --- 农业农村与自然资源 -------------------------------------------------------------
    Duty("NY01", "NYJ", ("ZGJ",), STREET),
    Duty("NY02", "NYJ"),
    Duty("NY03", "NYJ", co_levels=STREET),
    _territorial("NY04", "NYJ"),
    Duty("NY05", "ZGJ"),
    Duty("NY06", "ZGJ"),
    Duty("NY07", "SWJ", co_levels=STREET),
    # --- 企业服务与营商环境 -------------------------------------------------------------
    Duty("QY01", "ZWJ", ("SJJ",)),
    Duty("QY02", "JXJ", ("FGW", "CZJ")),
    Duty("QY03", "JRJ"),
    Duty("QY04", "TAX", ("FGW",)),
    Duty("QY05", "CZJ", ("FGW",)),
    Duty("QY06", "RSJ"),
    Duty("QY07", "SJJ"),
    Duty("QY08", "FGW"),
    # --- 政务服务 -----------------------------------------------------------------------
    Duty("ZW01", "ZWJ"),
    Duty("ZW02", "ZWJ"),
    Duty("ZW03", "ZWJ"),
    Duty("ZW04", "ZWJ"),
    Duty("ZW05", "ZWJ", note="涉及具体单位的，转该单位核查"),
    Duty("ZW06", "ZWJ", note="热线自身服务问题由政务服务管理局（12345 主管部门）办理"),
    # --- 文化旅游体育 -------------------------------------------------------------------
    Duty("WL01", "WLJ"),
    Duty("WL02", "WLJ"),
    Duty("WL03", "WLJ"),
    Duty("WL04", "TYJ", co_levels=STREET),
    Duty("WL05", "WLJ"),
    Duty("WL06", "WLJ"),
    # --- 其他 ---------------------------------------------------------------------------
    Duty("QT01", "YZGLJ", ("POST",)),
    Duty("QT02", "JRJ"),
    Duty("QT03", "QXJ"),
    Duty("QT04", "YCJ"),
    Duty("QT05", "ZWJ", note="表扬转被表扬单位知晓"),
    Duty("QT06", "ZWJ"),
    # QT07 其他诉求 falls back on the QT row: the street.

    # --- Area overrides: a district or street row beats the city-wide one ---------------
    Duty("CG02", "DC-CGJ", (), STREET, area="DC",
         note="东城区：占道经营由区城市管理局统一执法，街道配合"),
    Duty("CJ01", "GX-ZJJ", (), "street,community", area="GX",
         note="高新区：物业服务由区住建局统一监管"),
    Duty("CG03", "NS-CGJ", (), "street,community", area="NS",
         note="南山县：农村违法建设由县城市管理局牵头查处"),
    Duty("NY01", STREET, ("NYJ",), COMMUNITY, area="NS",
         note="南山县：宅基地审批由乡镇办理"),
    Duty("CG01", COMMUNITY, ("DC-CGJ",), "grid", area="DC01",
         note="文昌街道试点：噪声扰民由社区主办，网格员协办"),
)


@transaction.atomic
def build_responsibility_list(geo: Geography) -> list[Responsibility]:
    """Write ``DUTIES`` for the demo city (the taxonomy is seeded first if missing).
    A row whose category, area and audience already have a line is skipped, so running
    it twice adds nothing. Returns the rows created."""
    seed_taxonomy()
    categories = {c.code: c for c in Category.objects.all()}
    taken = set(Responsibility.objects.values_list("category_id", "area_id", "audience"))
    rows: list[tuple[Responsibility, list]] = []
    for duty in DUTIES:
        category = categories.get(duty.category)
        if category is None:  # removed by an administrator
            continue
        area = geo.unit(duty.area) if duty.area else None
        key = (category.pk, area.pk if area else None, duty.audience)
        if key in taken:
            continue
        taken.add(key)
        by_level = duty.lead in _LEVELS
        row = Responsibility(
            category=category, area=area, audience=duty.audience,
            lead_unit=None if by_level else geo.unit(duty.lead),
            lead_level=duty.lead if by_level else "",
            co_levels=duty.co_levels, note=duty.note,
        )
        rows.append((row, [geo.unit(code) for code in duty.co_units]))
    Responsibility.objects.bulk_create([row for row, _ in rows])
    Link = Responsibility.co_units.through
    Link.objects.bulk_create([
        Link(responsibility_id=row.pk, unit_id=unit.pk) for row, units in rows for unit in units
    ])
    return [row for row, _ in rows]
