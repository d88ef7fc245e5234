"""Our taxonomy as Open311 services: each active second-level category is a service
(CG01 噪声扰民), its first-level category the group (城市管理), its colloquial keywords the
keywords. Every service has the same attributes (the service definition)."""

from django.conf import settings

from minhu.catalog.models import Category, RequestType, UrgencyTier

from .formats import Open311Error

# Orders registered without a category still need a service_code in the answers.
UNCLASSIFIED = ("UNCLASSIFIED", "未分类")
DEFAULT_REQUEST_TYPE = "help"
MAX_AFFECTED = 1_000_000

PRIVACY_NOTICE = (
    "提交的描述、位置和图片链接将通过 Open311 公开；姓名、电话、电子邮箱只供承办单位联系您，"
    "不会公开。举报类诉求按保密件办理，内容不公开。"
)


def jurisdiction_id() -> str:
    """One city per server: the centre's code unless configured otherwise."""
    from minhu.orders.actions._base import centre_unit

    return getattr(settings, "MINHU_OPEN311_JURISDICTION", "") or centre_unit().code


def check_jurisdiction(value: str) -> None:
    """jurisdiction_id is optional; when given it must be ours."""
    value = (value or "").strip()
    if value and value != jurisdiction_id():
        raise Open311Error(404, f"jurisdiction_id“{value[:40]}”不存在，本接口为 "
                                f"{jurisdiction_id()}", "unknown_jurisdiction")


def active_services():
    return (Category.objects.filter(parent__isnull=False, is_active=True,
                                    parent__is_active=True)
            .select_related("parent").order_by("parent__sort", "parent__code", "sort", "code"))


def service_of(code: str) -> Category:
    """The service (a second-level category) by its code; 404 in the spec's format."""
    code = (code or "").strip()
    category = None
    if code and len(code) <= 20 and code.isprintable():
        category = active_services().filter(code=code).first()
    if category is None:
        raise Open311Error(404, f"服务代码“{code[:20]}”不存在，请先查询 services 列表",
                           "unknown_service")
    return category


def _description(category: Category) -> str:
    words = [w for w in category.keywords.split(",") if w.strip()][:6]
    text = f"反映“{category.parent.name}—{category.name}”方面的问题"
    return text + (f"，例如：{'、'.join(words)}" if words else "")


def service_list() -> list[dict]:
    return [
        {
            "service_code": c.code,
            "service_name": c.name,
            "description": _description(c),
            "metadata": True,
            "type": "realtime",
            "keywords": ",".join(w.strip() for w in c.keywords.split(",") if w.strip()),
            "group": c.parent.name,
        }
        for c in active_services()
    ]


def attributes() -> list[dict]:
    """The service definition's attributes: what a client may send as attribute[code]."""
    request_types = [{"key": t.code, "name": t.name} for t in RequestType.objects.all()]
    tiers = [{"key": t.code, "name": t.name} for t in UrgencyTier.objects.all()]
    return [
        {"variable": True, "code": "request_type", "datatype": "singlevaluelist",
         "required": False, "datatype_description": "从列表中选择一项",
         "order": 1, "description": "诉求类型（不填按“求助”登记）",
         "values": request_types},
        {"variable": True, "code": "urgency", "datatype": "singlevaluelist",
         "required": False, "datatype_description": "从列表中选择一项",
         "order": 2, "description": "紧急程度（供参考，12345 中心派单时核定时限）",
         "values": tiers},
        {"variable": True, "code": "observed_at", "datatype": "datetime",
         "required": False, "datatype_description": "W3C 时间，如 2025-09-30T08:30:00+08:00",
         "order": 3, "description": "发现问题的时间", "values": []},
        {"variable": True, "code": "affected_count", "datatype": "number",
         "required": False, "datatype_description": f"0 到 {MAX_AFFECTED} 的整数",
         "order": 4, "description": "受影响的人数或户数（估计即可）", "values": []},
        {"variable": False, "code": "privacy_notice", "datatype": "text",
         "required": False, "datatype_description": None, "order": 5,
         "description": PRIVACY_NOTICE, "values": []},
    ]


def definition(code: str) -> dict:
    category = service_of(code)
    return {"service_code": category.code, "attributes": attributes()}
