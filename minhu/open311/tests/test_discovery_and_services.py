"""Discovery, the service list and service definitions, in JSON and XML."""

from .conftest import errors_of


def test_discovery_names_the_spec_our_url_and_both_formats(open311):
    data = open311.get_json("discovery.json")
    endpoint = data["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert set(endpoint["formats"]) == {"application/json", "text/xml"}
    assert "12345" in data["contact"] and "open311-key" in data["key_service"]


def test_discovery_in_xml_has_the_specs_element_names(open311):
    root = open311.get_xml("discovery.xml")
    assert root.tag == "discovery"
    assert root.findtext("endpoints/endpoint/type") == "production"
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == [
        "application/json", "text/xml"]


def test_services_are_the_second_level_categories_grouped_by_the_first(open311, schemas):
    services = open311.get_json("services.json")
    schemas.validate(services, "services.json")
    noise = next(s for s in services if s["service_code"] == "CG01")
    assert noise["service_name"] == "噪声扰民" and noise["group"] == "城市管理"
    assert noise["metadata"] is True and noise["type"] == "realtime"
    assert "太吵了" in noise["keywords"].split(",")
    assert all(len(s["service_code"]) == 4 for s in services)  # no first-level codes


def test_an_inactive_category_is_not_offered_as_a_service(open311):
    from minhu.catalog.models import Category

    Category.objects.filter(code="CG01").update(is_active=False)
    codes = {s["service_code"] for s in open311.get_json("services.json")}
    assert "CG01" not in codes and "CG02" in codes
    assert open311.get("services/CG01.json").status_code == 404


def test_services_in_xml_list_one_service_element_each(open311):
    root = open311.get_xml("services.xml")
    assert root.tag == "services"
    first = root.find("service")
    assert [child.tag for child in first] == [
        "service_code", "service_name", "description", "metadata", "type", "keywords", "group"]
    assert first.findtext("metadata") == "true"
    assert len(root.findall("service")) == len(open311.get_json("services.json"))


def test_a_service_definition_offers_our_request_types_and_urgency_as_lists(open311, schemas):
    definition = open311.get_json("services/SZ01.json")
    schemas.validate(definition, "service-definition.json")
    by_code = {a["code"]: a for a in definition["attributes"]}
    assert definition["service_code"] == "SZ01"
    assert {v["name"] for v in by_code["request_type"]["values"]} >= {"投诉", "求助", "咨询",
                                                                       "建议"}
    assert [v["key"] for v in by_code["urgency"]["values"]] == [
        "urgent", "pressing", "normal", "complex"]
    assert by_code["observed_at"]["datatype"] == "datetime"
    assert by_code["affected_count"]["datatype"] == "number"
    assert by_code["privacy_notice"]["variable"] is False


def test_a_service_definition_in_xml_nests_attributes_and_values(open311):
    root = open311.get_xml("services/SZ01.xml")
    assert root.tag == "service_definition"
    attribute = root.find("attributes/attribute")
    assert attribute.findtext("code") == "request_type"
    assert attribute.findtext("variable") == "true"
    assert attribute.find("values/value/key") is not None
    assert attribute.find("values/value/name") is not None


def test_an_unknown_service_is_a_404_in_the_specs_error_format(open311):
    response = open311.get("services/NOPE.json")
    assert response.status_code == 404
    assert errors_of(response) == [
        {"code": 404, "description": "服务代码“NOPE”不存在，请先查询 services 列表"}]
    xml = open311.get("services/NOPE.xml")
    assert xml.status_code == 404 and errors_of(xml)[0]["code"] == 404


def test_an_unsupported_format_is_refused_in_json(open311):
    response = open311.get("services.yaml")
    assert response.status_code == 400
    assert "不支持的格式“yaml”" in errors_of(response)[0]["description"]


def test_an_unknown_path_is_a_404_in_the_specs_error_format(open311):
    for path in ("services", "nothing.json", "services/CG01/extra.json"):
        response = open311.get(path)
        assert response.status_code == 404
        assert errors_of(response)[0]["code"] == 404

    from django.test import Client

    strict = Client(enforce_csrf_checks=True)  # machines carry no CSRF token
    posted = strict.post("/open311/v2/service_requests.json", {"a": "b"})
    assert posted.status_code == 404 and errors_of(posted)[0]["code"] == 404
    created = strict.post("/open311/v2/requests.json", {"api_key": open311.key})
    assert created.status_code == 400 and errors_of(created)[0]["code"] == 400


def test_a_foreign_jurisdiction_is_not_found_and_ours_is_accepted(open311):
    response = open311.get("services.json", jurisdiction_id="beijing")
    assert response.status_code == 404
    assert "jurisdiction_id“beijing”不存在" in errors_of(response)[0]["description"]
    assert open311.get("services.json", jurisdiction_id="YZ12345").status_code == 200


def test_a_write_method_on_a_read_only_endpoint_is_refused_with_allow(open311):
    response = open311.client.delete("/open311/v2/services.json")
    assert response.status_code == 405 and response["Allow"] == "GET"
    assert errors_of(response)[0]["code"] == 405
    assert open311.client.head("/open311/v2/services.json").status_code == 200
