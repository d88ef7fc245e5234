from minhu.audit.models import AuditEntry
from minhu.outbox.actions import deliver_due
from minhu.outbox.models import Delivery, DeliveryStatus
from minhu.partners.actions import set_webhook

from .conftest import request_body


def test_the_partners_page_shows_todays_traffic_and_refusals(client, city, api, wechat):
    api.post(request_body())
    api.post(request_body())  # a replay
    api.post(None, raw="{\"content\": \"路灯\"}".encode("gbk"))
    client.force_login(city.supervisor)
    page = client.get("/partners/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "云州12345小程序" in html and "yz-wxapp" in html
    row = html[html.index('data-partner="yz-wxapp"'):]
    assert '<td class="n created-today">1</td>' in row
    assert "bad_encoding" in html


def test_agents_do_not_see_the_partners_page(client, city):
    client.force_login(city.agent)
    assert client.get("/partners/").status_code == 403
    assert client.get("/outbox/").status_code == 403


def test_a_supervisor_requeues_a_dead_delivery_from_the_dead_letter_view(
        client, city, api, wechat, receiver, at):
    set_webhook(wechat, receiver.url)
    wechat.endpoint.max_attempts = 1
    wechat.endpoint.save()
    receiver.statuses = [502]
    with at(2025, 9, 30, 9):
        api.post(request_body())
        deliver_due()
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.DEAD
    client.force_login(city.supervisor)
    html = client.get("/outbox/").content.decode()
    assert f'id="delivery-{delivery.pk}"' in html and "HTTP 502" in html
    assert "WX20250930-0001" in html  # the payload preview
    response = client.post(f"/outbox/{delivery.pk}/requeue/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'data-status="pending"' in response.content.decode()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 0)
    assert AuditEntry.objects.filter(action="outbox_requeue", actor=city.supervisor).exists()


def test_requeueing_a_delivery_that_is_not_dead_explains_why(client, city, api, wechat,
                                                             receiver):
    set_webhook(wechat, receiver.url)
    api.post(request_body())
    client.force_login(city.supervisor)
    delivery = Delivery.objects.get()
    response = client.post(f"/outbox/{delivery.pk}/requeue/", HTTP_HX_REQUEST="true")
    assert "只有已停止重试的推送可以重新发送" in response.content.decode()


def test_the_admin_shows_partners_their_requests_and_the_outbox(client, city, api, wechat):
    from minhu.accounts.models import User

    set_webhook(wechat, "http://127.0.0.1:1/hook")
    api.post(request_body())
    client.force_login(User.objects.filter(is_superuser=True).first())
    for url in ("/admin/partners/partner/", f"/admin/partners/partner/{wechat.pk}/change/",
                "/admin/partners/partnerrequest/", "/admin/outbox/endpoint/",
                "/admin/outbox/delivery/"):
        assert client.get(url).status_code == 200, url
    assert client.get("/admin/partners/partner/add/").status_code == 403
