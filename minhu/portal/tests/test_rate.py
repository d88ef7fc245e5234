"""The citizen rates the reply from the signed link in the SMS: resolved? satisfied?
Satisfied closes the order, dissatisfied goes to review; a link works once."""

import pytest
from django.core import signing

from minhu.orders.actions import do_citizen_rate, do_dispatch, do_reply, do_sign
from minhu.orders.models import Callback
from minhu.orders.states import State


def rate_link(number: str) -> str:
    token = signing.dumps({"n": number}, salt="minhu.portal.rate")
    return f"/m/rate/{token}/"


@pytest.fixture
def replied_order(city, new_order):
    order = do_sign(do_dispatch(new_order(), city.dispatcher, city.unit("DC01").pk),
                    city.street_handler)
    return do_reply(order, city.street_handler, "已疏通下水管道。", solved=True,
                    handler_name="张伟", handler_phone="0571-88001234")


def test_a_satisfied_citizen_closes_the_order_from_the_link(client, replied_order):
    page = client.get(rate_link(replied_order.number)).content.decode()
    assert "已疏通下水管道" in page and "张伟" in page
    response = client.post(rate_link(replied_order.number),
                           {"resolved": "yes", "satisfaction": "satisfied", "comment": "很及时"})
    assert response.status_code == 200 and "工单已办结" in response.content.decode()
    replied_order.refresh_from_db()
    assert replied_order.state == State.CLOSED and replied_order.close_reason == "callback"
    assert replied_order.satisfaction == "satisfied" and replied_order.resolved == "yes"
    callback = Callback.objects.get(order=replied_order)
    assert callback.by.username == "svc-portal" and callback.reached and callback.note == "很及时"
    event = replied_order.events.order_by("-seq").first()
    assert event.action == "citizen_rate" and event.data["by_citizen"] is True


def test_a_dissatisfied_citizen_sends_the_order_to_review(client, replied_order):
    client.post(rate_link(replied_order.number),
                {"resolved": "partly", "satisfaction": "dissatisfied", "comment": "只修了一半"})
    replied_order.refresh_from_db()
    assert replied_order.state == State.DISSATISFIED_REVIEW
    assert replied_order.first_satisfaction == "dissatisfied"


def test_a_rating_link_works_once(client, replied_order):
    link = rate_link(replied_order.number)
    client.post(link, {"resolved": "yes", "satisfaction": "basic"})
    again = client.post(link, {"resolved": "no", "satisfaction": "dissatisfied"})
    assert again.status_code == 410 and "已使用或已失效" in again.content.decode()
    assert client.get(link).status_code == 410
    replied_order.refresh_from_db()
    assert replied_order.satisfaction == "basic"
    assert Callback.objects.filter(order=replied_order).count() == 1


def test_a_forged_link_is_refused(client, replied_order):
    response = client.get(f"/m/rate/{rate_link(replied_order.number)[8:-2]}x/")
    assert response.status_code == 404 and "链接无效" in response.content.decode()


def test_a_rating_without_answers_is_refused_and_kept(client, replied_order):
    response = client.post(rate_link(replied_order.number),
                           {"resolved": "yes", "comment": "<script>alert(1)</script>"})
    page = response.content.decode()
    assert response.status_code == 422 and "请选择满意度" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    replied_order.refresh_from_db()
    assert replied_order.state == State.REPLIED


def test_an_oversized_comment_is_refused(city, replied_order):
    from minhu.core.errors import ValidationFailed
    from minhu.intake.actions import service_account

    portal = service_account("svc-portal", "市民门户")
    with pytest.raises(ValidationFailed, match="评价意见过长"):
        do_citizen_rate(replied_order, portal, resolved="yes", satisfaction="satisfied",
                        comment="好" * 1001)


def test_staff_of_a_unit_cannot_record_a_citizen_rating(city, replied_order):
    from minhu.core.errors import Forbidden

    with pytest.raises(Forbidden):
        do_citizen_rate(replied_order, city.street_handler, resolved="yes",
                        satisfaction="satisfied")
