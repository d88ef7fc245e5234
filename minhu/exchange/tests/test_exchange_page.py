"""The exchange page (/exchange/) for dispatchers and supervisors, and `minhu province`."""

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command

from minhu.core import clock
from minhu.exchange.health import exchange_health
from minhu.orders.actions import do_dispatch
from minhu.orders.models import WorkOrder
from minhu.outbox.actions import deliver_due
from minhu.outbox.models import Delivery, DeliveryStatus, Endpoint


def _push(province, number):
    response = province.push(number, clock.now() + timedelta(days=6))
    return WorkOrder.objects.get(number=response.json()["city_no"])


def test_a_dispatcher_sees_both_deadlines_and_how_far_each_order_got_up(
        city, province, connected, at, client):
    with at(2026, 11, 23, 9):
        order = _push(province, "GS202611230201")
        do_dispatch(order, city.dispatcher, city.unit("DC01").pk)
        deliver_due()
        client.force_login(city.dispatcher)
        page = client.get("/exchange/").content.decode()
    assert "GS202611230201" in page and order.number in page
    assert "2026-11-29 09:00" in page  # the province's deadline
    assert "2026-11-26 09:00" in page  # the city's, half the remaining time
    assert "已送达至 #2" in page
    assert 'data-state="ok"' in page


def test_the_page_shows_an_unreachable_province_and_links_dead_updates_to_the_outbox(
        city, province, connected, at, client):
    with at(2026, 11, 23, 9):
        order = _push(province, "GS202611230202")
        connected.stop()
        deliver_due()
        health = exchange_health()
        assert health["state"] == "failing" and health["reachable"] is False
        assert health["pending"] == 1 and health["oldest_pending"] == clock.now()
        client.force_login(city.supervisor)
        page = client.get("/exchange/?show=unsynced").content.decode()
        assert 'data-state="failing"' in page and "待推送 1" in page

        Delivery.objects.filter(order=order).update(status=DeliveryStatus.DEAD)
        page = client.get("/exchange/").content.decode()
    assert 'data-state="dead"' in page and "停止重试 1" in page
    assert 'href="/outbox/?endpoint=province"' in page  # where a supervisor resends it


def test_a_handling_unit_may_not_open_the_exchange_page(city, client):
    client.force_login(city.street_handler)
    response = client.get("/exchange/")
    assert response.status_code == 403
    assert "省级平台交换" in response.content.decode()


def test_the_province_endpoint_is_configured_from_the_command_line(city):
    out = io.StringIO()
    call_command("province", "configure", "--url", "https://province.example/updates",
                 "--secret", "s" * 32, stdout=out)
    endpoint = Endpoint.objects.get(code="province")
    assert (endpoint.kind, endpoint.url, endpoint.is_active) == (
        "province", "https://province.example/updates", True)
    assert "https://province.example/updates" in out.getvalue()
    with pytest.raises(CommandError, match="网址"):
        call_command("province", "configure", "--url", "ftp://x", "--secret", "s" * 32)
    with pytest.raises(CommandError, match="16"):
        call_command("province", "configure", "--url", "https://p.example/u",
                     "--secret", "short")
    status = io.StringIO()
    call_command("province", "status", stdout=status)
    assert "正常" in status.getvalue()


def test_the_token_from_the_command_line_lets_the_province_push(city, client, at):
    out = io.StringIO()
    call_command("province", "token", stdout=out)
    key = out.getvalue().splitlines()[0]
    with at(2026, 11, 23, 9):
        response = client.post(
            "/api/v1/province/orders",
            {"province_no": "GS202611230203", "deadline": "2026-11-27T09:00:00+08:00",
             "content": "供水管道爆裂，小区停水", "type_code": "02", "category_code": "0501"},
            content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 201, response.content.decode()
