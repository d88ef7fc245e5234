import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _qr(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.MINHU_PORTAL_MIN_FILL_SECONDS = 0
    settings.MINHU_PUBLIC_URL = "https://12345.yunzhou.example"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def building(city):
    """A building of community DC0101 (street DC01, 东城区)."""
    from minhu.org.models import Place

    return (Place.objects.filter(community__code="DC0101", kind="building")
            .select_related("parent", "community__parent").order_by("pk").first())


@pytest.fixture
def scan_and_submit(client, building):
    """A resident scans the building's code and submits; returns the registered order."""
    from minhu.orders.models import WorkOrder
    from minhu.portal.challenge import new_token
    from minhu.qrcodes.models import code_for

    def go(content="楼道声控灯坏了半个月，晚上上下楼看不见，老人摔了一跤。", **fields):
        qr = code_for(building)
        landing = client.get(f"/qr/{qr.code}/")
        assert landing.status_code == 302
        form = client.get(landing["Location"])
        assert form.status_code == 200
        data = {"content": content, "phone": "13905710002", "name": "周建华", "qr": qr.code,
                "form_token": new_token(), **fields}
        response = client.post("/m/", data)
        assert response.status_code == 302, response.content.decode()[-2000:]
        return WorkOrder.objects.get(number=client.session["minhu_portal_submitted"])

    return go
