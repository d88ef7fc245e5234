"""Whatever a partner sends is kept as it came, and the partner gets a stable code."""

import json

import pytest

from minhu.intake.models import RawIntake, RawStatus
from minhu.partners.models import PartnerRequest

from .conftest import request_body


def latest_raw():
    return RawIntake.objects.filter(source="yz-wxapp").latest("pk")


def test_a_gbk_encoded_body_is_refused_and_kept_byte_for_byte(api):
    body = json.dumps(request_body(), ensure_ascii=False).encode("gbk")
    response = api.post(None, raw=body)
    assert response.status_code == 400
    data = response.json()
    assert data["code"] == "bad_encoding" and "UTF-8" in data["message"]
    raw = RawIntake.objects.get(pk=data["details"]["raw_id"])
    assert (raw.status, raw.error_code, raw.body_escaped) == (
        RawStatus.REJECTED, "bad_encoding", True)
    assert raw.body == body.decode("utf-8", errors="backslashreplace")  # lossless escape
    assert "\\x" in raw.body


def test_an_emoji_heavy_request_is_accepted_as_written(api):
    content = "🚧🚧 路口井盖丢了 😡😡😡 晚上骑车很危险 🙏" * 20
    response = api.post(request_body(content=content, citizen_name="小明🌟"))
    assert response.status_code == 201
    assert PartnerRequest.objects.get().order.content == content.strip()


def test_script_in_a_request_is_stored_as_plain_text(api):
    content = '<script>alert("x")</script>楼道灯不亮<img src=x onerror=alert(1)>'
    response = api.post(request_body(content=content))
    assert response.status_code == 201
    assert PartnerRequest.objects.get().order.content == content
    assert latest_raw().body == json.dumps(request_body(content=content), ensure_ascii=False)


def test_a_two_megabyte_body_is_refused_and_its_beginning_kept(api):
    body = json.dumps(request_body(content="噪音扰民" * 170_000), ensure_ascii=False).encode()
    assert len(body) > 2_000_000
    response = api.post(None, raw=body)
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    raw = latest_raw()
    assert (raw.status, raw.error_code) == (RawStatus.REJECTED, "payload_too_large")
    assert raw.body.startswith('{"partner_id": "WX20250930-0001"')
    assert raw.meta["truncated_from_chars"] > 600_000


def test_a_body_over_the_server_limit_is_still_kept_in_part(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000
    body = json.dumps(request_body(content="噪音" * 100_000), ensure_ascii=False).encode()
    response = api.post(None, raw=body)
    assert response.status_code == 413
    raw = latest_raw()
    assert raw.meta["oversized"] is True and raw.body.startswith('{"partner_id"')


@pytest.mark.parametrize("body, status, code", [
    ("", 400, "empty_body"),
    ("   \n", 400, "empty_body"),
    ('{"content": "路灯不亮", ', 400, "bad_json"),
    ('[{"partner_id": "A1", "content": "路灯不亮"}]', 422, "not_an_object"),
    ('"路灯不亮"', 422, "not_an_object"),
    ('{"partner_id": "A1", "content": "路灯\\u0000不亮"}', 422, "bad_characters"),
    ('{"partner_id": "A1", "content": "x", "lat": NaN}', 400, "bad_json"),
    ('{"content": "路灯不亮"}', 422, "missing_partner_id"),
    ('{"partner_id": "../../etc", "content": "路灯不亮"}', 422, "bad_partner_id"),
    ('{"partner_id": "A1", "content": ""}', 422, "validation_failed"),
], ids=["empty", "blank", "truncated-json", "array", "bare-string", "nul", "nan",
        "no-id", "bad-id", "empty-content"])
def test_bad_bodies_get_a_stable_code_and_are_kept_raw(api, body, status, code):
    response = api.post(None, raw=body.encode())
    assert response.status_code == status
    data = response.json()
    assert data["code"] == code and data["message"]
    raw = RawIntake.objects.get(pk=data["details"]["raw_id"])
    assert (raw.status, raw.error_code, raw.body) == (
        RawStatus.REJECTED, code, body)
    assert not PartnerRequest.objects.exists()


def test_fields_of_the_wrong_type_are_named_in_chinese(api):
    response = api.post(request_body(content=123, lat="north", is_anonymous="maybe"))
    assert response.status_code == 422
    data = response.json()
    assert data["code"] == "validation_failed"
    assert "字段 content 必须是字符串" in data["message"]
    assert "字段 lat 必须是数字" in data["message"]
    assert "字段 is_anonymous 必须是布尔值" in data["message"]
    assert {e["field"] for e in data["details"]["errors"]} == {"content", "lat", "is_anonymous"}
    assert latest_raw().error_code == "validation_failed"


def test_a_bad_phone_number_is_refused_by_the_domain_and_kept(api):
    response = api.post(request_body(citizen_phone="<script>"))
    assert response.status_code == 422
    assert response.json()["code"] == "bad_phone"
    assert latest_raw().status == RawStatus.REJECTED


def test_a_raw_nul_byte_is_refused_and_kept_visible(api):
    body = b'{"partner_id": "A1", "content": "\x00\x00"}'
    response = api.post(None, raw=body)
    assert response.status_code == 400 and response.json()["code"] == "bad_json"
    raw = latest_raw()
    assert raw.body == '{"partner_id": "A1", "content": "\\x00\\x00"}'
    assert raw.meta["nul_escaped"] is True


def test_a_control_character_in_the_id_header_is_refused(api):
    body = request_body()
    del body["partner_id"]
    response = api.post(body, headers={"X-Partner-Request-Id": "A\x001"})
    assert response.status_code == 422 and response.json()["code"] == "bad_partner_id"
    assert latest_raw().external_id == ""
