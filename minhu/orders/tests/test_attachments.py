import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from minhu.core.errors import NotFound, ValidationFailed
from minhu.orders.access import access_order
from minhu.orders.actions import do_attach

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_a_unit_attaches_a_photo_and_the_timeline_says_so(city, dispatched_order):
    order = dispatched_order()
    att = do_attach(order, city.street_handler, SimpleUploadedFile("现场照片.png", PNG))
    assert att.content_type == "image/png" and att.size == len(PNG)
    assert order.events.order_by("-seq").first().action == "attach"


@pytest.mark.parametrize("name, body, code", [
    ("virus.exe", b"MZ\x90\x00", "bad_file_type"),
    ("photo.png", b"MZ\x90\x00 not a png", "bad_file_content"),
    ("empty.jpg", b"", "empty_file"),
])
def test_bad_files_are_refused_with_a_clear_reason(city, dispatched_order, name, body, code):
    with pytest.raises(ValidationFailed) as err:
        do_attach(dispatched_order(), city.street_handler, SimpleUploadedFile(name, body))
    assert err.value.code == code


def test_an_oversized_file_is_refused(city, dispatched_order, settings):
    settings.MINHU_ATTACHMENT_MAX_BYTES = 32
    with pytest.raises(ValidationFailed, match="过大"):
        do_attach(dispatched_order(), city.street_handler, SimpleUploadedFile("a.png", PNG))


def test_path_tricks_in_file_names_are_neutralised(city, dispatched_order):
    att = do_attach(dispatched_order(), city.street_handler,
                    SimpleUploadedFile("../../etc/<passwd>.png", PNG))
    assert att.name == "_passwd_.png"


def test_another_unit_cannot_attach_to_an_order_it_does_not_hold(city, dispatched_order):
    order = dispatched_order(lead="DC01")
    with pytest.raises(NotFound):
        access_order(city.other_street_handler, order.number)
    with pytest.raises(NotFound):
        do_attach(order, city.other_street_handler, SimpleUploadedFile("a.png", PNG))
    assert not order.attachments.exists()
