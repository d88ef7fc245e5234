from minhu.catalog.models import Category
from minhu.catalog.routing import route_order


def test_a_noise_complaint_goes_to_the_street_of_the_place_with_enforcement_assisting(
        city, new_order):
    order = new_order(category="CG01", community="DC0201")
    r = route_order(order)
    assert r.lead.code == "DC02"
    assert {"CGJ"} <= {u.code for u in r.co}
    assert "权责清单" in r.reason and "主办" in r.reason


def test_a_water_supply_matter_goes_to_the_water_company_wherever_it_is(city, new_order):
    water = Category.objects.filter(parent__code="SZ", name__contains="供水").first()
    order = new_order(category=water.code, community="NS0101")
    assert route_order(order).lead.kind == "utility"


def test_every_category_resolves_for_an_order_with_a_known_street(city, new_order):
    order = new_order(community="XH0301")
    unresolved = []
    for cat in Category.objects.all():
        order.category = cat
        if route_order(order) is None:
            unresolved.append(cat.code)
    assert unresolved == []


def test_an_enterprise_request_prefers_the_enterprise_line_of_the_same_category(
        city, new_order):
    order = new_order(category="QY", is_enterprise=True, enterprise_name="云州精工")
    assert route_order(order).rule.audience == "enterprise"
    order.is_enterprise = False
    assert route_order(order).rule.audience == "all"


def test_a_second_level_line_beats_a_first_level_audience_line(city, new_order):
    order = new_order(category="QY01", is_enterprise=True, enterprise_name="云州精工")
    assert route_order(order).rule.category.code == "QY01"
