"""Refusals that happen outside our views still read as plain Chinese pages."""

from django.test import Client


def test_a_form_with_too_many_fields_gets_a_chinese_bad_request_page(db):
    fields = {f"f{i}": "x" for i in range(1200)}
    page = Client().post("/m/", fields)
    assert page.status_code == 400
    assert "请求有误" in page.content.decode()


def test_an_api_request_with_too_many_fields_gets_json(db):
    page = Client().post("/api/v1/orders", {f"f{i}": "x" for i in range(1200)})
    assert page.status_code in (400, 401)
    assert page["Content-Type"].startswith("application/json")


def test_a_wrong_method_on_a_page_explains_itself_and_keeps_the_allow_header(city):
    client = Client()
    client.force_login(city.supervisor)
    page = client.get("/intake/1/retry/")
    assert page.status_code == 405
    assert "不支持的操作" in page.content.decode()
    assert page["Allow"] == "POST"


def test_a_stale_form_token_says_the_page_expired(db):
    page = Client(enforce_csrf_checks=True).post("/m/track/", {"number": "YZ1"})
    assert page.status_code == 403
    assert "页面已过期" in page.content.decode()


def test_a_nul_character_in_a_page_link_is_dropped_before_the_view_sees_it(city):
    client = Client()
    client.force_login(city.supervisor)
    page = client.get("/intake/?channel=q%00r")
    assert page.status_code == 200 and page.context["channel"] == "qr"


def test_a_nul_character_in_a_page_path_is_refused(city):
    page = Client().get("/qr/AB%00CD/")
    assert page.status_code == 400 and "请求有误" in page.content.decode()


def test_the_apis_keep_their_own_answer_to_a_nul_character(db):
    page = Client().get("/open311/v2/requests.json?service_code=%00")
    assert page["Content-Type"].startswith("application/json")
