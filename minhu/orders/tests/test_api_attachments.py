"""Attachments over HTTP: upload by the unit holding the order, listed on the detail,
downloaded with an audit entry, refused for others and for bad files."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from minhu.audit.models import AuditEntry
from minhu.orders.tests.test_api import Api

PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 100


@pytest.fixture
def api(city, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return Api()


def upload(api, username, number, name="现场.png", body=PNG):
    return api.client.post(f"/api/v1/orders/{number}/attachments",
                           {"file": SimpleUploadedFile(name, body), "purpose": "handling"},
                           **api._auth(username))


def dispatched(api):
    number = api.register()["number"]
    api.act("dispatcher1", number, "dispatch", {"lead_unit": "DC01"})
    return number


def test_the_unit_uploads_a_photo_that_the_centre_then_downloads_with_an_audit_entry(api):
    number = dispatched(api)
    response = upload(api, "dc01_handler", number)
    assert response.status_code == 201, response.content.decode()
    att = response.json()
    detail = api.get("dispatcher1", f"/api/v1/orders/{number}").json()
    assert [a["name"] for a in detail["attachments"]] == ["现场.png"]
    assert detail["timeline"][-1]["action"] == "attach"
    file = api.get("dispatcher1", att["url"])
    assert file.status_code == 200 and b"".join(file.streaming_content) == PNG
    assert AuditEntry.objects.filter(action="view_attachment", object_id=number).count() == 1


def test_another_unit_can_neither_upload_nor_download(api):
    number = dispatched(api)
    att = upload(api, "dc01_handler", number).json()
    assert upload(api, "dc02_handler", number).status_code == 404
    assert api.get("dc02_handler", att["url"]).status_code == 404


@pytest.mark.parametrize("name, body, code", [
    ("run.exe", b"MZ\x90", "bad_file_type"),
    ("fake.jpg", b"<script>alert(1)</script>", "bad_file_content"),
])
def test_bad_files_get_a_clear_json_error(api, name, body, code):
    number = dispatched(api)
    response = upload(api, "dc01_handler", number, name, body)
    assert response.status_code == 422 and response.json()["code"] == code


def test_a_missing_file_field_is_a_validation_error_not_a_crash(api):
    number = dispatched(api)
    response = api.client.post(f"/api/v1/orders/{number}/attachments", {},
                               **api._auth("dc01_handler"))
    assert response.status_code == 422 and response.json()["code"] == "validation_failed"
