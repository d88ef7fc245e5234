import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


@pytest.fixture(autouse=True)
def _portal(settings, tmp_path):
    """Fresh rate-limit counters; no minimum fill time unless a test asks for one."""
    settings.MEDIA_ROOT = tmp_path
    settings.MINHU_PORTAL_MIN_FILL_SECONDS = 0
    settings.MINHU_PUBLIC_URL = "https://12345.yunzhou.example"
    cache.clear()
    yield
    cache.clear()


def jpeg(size=(640, 480), color=(200, 40, 40), exif=None, name="现场.jpg") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG", exif=exif or b"")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def place(city):
    """A building of 锦绣家园 in community DC0101 (street DC01)."""
    from minhu.org.models import Place

    return (Place.objects.filter(community__code="DC0101", kind="building")
            .select_related("parent", "community").order_by("pk").first())


@pytest.fixture
def form_token():
    from minhu.portal.challenge import new_token

    return new_token


@pytest.fixture
def submit_form(client, form_token, place):
    """POST the submit form with sensible values, overridden by keyword."""

    def post(files=None, **fields):
        data = {"content": "小区3号楼东侧路灯连续一周不亮，晚上出行很不安全，希望尽快修复。",
                "phone": "13905710001", "name": "陈桂兰", "request_type": "help",
                "place_id": str(place.pk), "address": "东侧路口", "form_token": form_token()}
        data.update(fields)
        if files:
            data["photos"] = files
        return client.post("/m/", data)

    return post
