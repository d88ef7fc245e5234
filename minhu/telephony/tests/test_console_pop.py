"""A call ringing at an agent pops their console with the caller's history (only orders
the agent may see), and the registration started from it carries the call id."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from minhu.accounts.models import User
from minhu.orders.models import ExternalRef, WorkOrder
from minhu.orders.states import Channel
from minhu.org.models import Unit

from .conftest import city_time

CALLER = "13905719999"


def _console(city, username):
    client = Client()
    client.force_login(city.user(username))
    return client


@pytest.fixture
def agent1(city):
    return _console(city, "agent1")


def test_ringing_pops_the_agents_console_with_the_caller_and_open_orders_highlighted(
        city, switch, agent1, new_order, at):
    with at(2025, 9, 30, 9):
        earlier = new_order(citizen_phone=CALLER, content="楼上漏水到我家天花板")
    with at(2025, 9, 30, 10, 0, 5):
        switch.event("C-5001", "ringing", city_time(2025, 9, 30, 10), caller=CALLER)
        pop = agent1.get("/cti/pop/")
    html = pop.content.decode()
    assert pop.status_code == 200
    assert CALLER in html and "来电弹屏" in html
    assert f'<li class="open" data-number="{earlier.number}"' in html
    assert "/agent/?call=C-5001" in html and 'data-caller="13905719999"' in html


def test_the_pop_answers_204_while_nothing_changes_and_redraws_when_answered(
        city, switch, agent1, at):
    with at(2025, 9, 30, 10, 0, 5):
        switch.event("C-5002", "ringing", city_time(2025, 9, 30, 10), caller=CALLER)
        first = agent1.get("/cti/pop/")
        assert agent1.get("/cti/pop/", {"shown": "C-5002|ringing|"}).status_code == 204
        switch.event("C-5002", "answered", city_time(2025, 9, 30, 10, 0, 4), caller=CALLER)
        answered = agent1.get("/cti/pop/", {"shown": "C-5002|ringing|"})
    assert 'value="C-5002|ringing|"' in first.content.decode()
    assert answered.status_code == 200 and 'data-status="answered"' in answered.content.decode()


def test_another_agents_console_does_not_pop(city, switch, at):
    with at(2025, 9, 30, 10, 0, 5):
        switch.event("C-5003", "ringing", city_time(2025, 9, 30, 10), caller=CALLER)
        assert _console(city, "agent2").get("/cti/pop/").status_code == 204


def test_an_old_call_no_longer_pops(city, switch, agent1, at):
    switch.event("C-5004", "ringing", city_time(2025, 9, 30, 10), caller=CALLER)
    with at(2025, 9, 30, 11):
        assert agent1.get("/cti/pop/").status_code == 204


def test_a_dismissed_pop_stays_closed(city, switch, agent1, at):
    with at(2025, 9, 30, 10, 0, 5):
        switch.event("C-5005", "ringing", city_time(2025, 9, 30, 10), caller=CALLER)
        assert agent1.get("/cti/pop/").status_code == 200
        agent1.post("/cti/pop/dismiss/", {"call_id": "C-5005"})
        assert agent1.get("/cti/pop/").status_code == 204


def test_the_pop_shows_only_orders_the_agent_may_see(city, switch, new_order, at):
    # An agent at the 东城区 sub-centre sees 东城区 orders, not 西湖区 ones.
    agent = User.objects.create(username="dc_agent", display_name="东城坐席",
                                unit=Unit.objects.get(code="DC-FZX"))
    agent.groups.add(Group.objects.get(name="agent"))
    with at(2025, 9, 29, 9):
        here = new_order(citizen_phone=CALLER, community="DC0101", content="东城的诉求")
        there = new_order(citizen_phone=CALLER, community="XH0101", content="西湖的诉求")
    with at(2025, 9, 30, 10, 0, 5):
        switch.event("C-5006", "ringing", city_time(2025, 9, 30, 10), caller=CALLER,
                     agent="dc_agent")
        html = _console(city, "dc_agent").get("/cti/pop/").content.decode()
        full = _console(city, "agent1").get("/agent/caller/", {"citizen_phone": CALLER})
    assert here.number in html and there.number not in html
    assert "西湖的诉求" not in html
    assert there.number in full.content.decode()  # the centre's agent sees both


def test_only_agents_get_the_pop(city):
    assert _console(city, "dc01_handler").get("/cti/pop/").status_code == 403


# --- Registration from the pop --------------------------------------------------------------


def _register(client, **fields):
    form = {"citizen_phone": CALLER, "citizen_name": "赵先生", "address": "锦绣家园",
            "community": "DC0101", "content": "小区门口路灯不亮一周了", "request_type": "help",
            "urgency": "normal", "mode": "register", **fields}
    return client.post("/agent/register/", form)


def test_the_registration_form_is_prefilled_from_the_call(city, switch, agent1, at):
    with at(2025, 9, 30, 10, 0, 5):
        switch.event("C-5007", "ringing", city_time(2025, 9, 30, 10), caller=CALLER)
        page = agent1.get("/agent/", {"call": "C-5007"}).content.decode()
    assert f'value="{CALLER}"' in page
    assert 'name="cti_call_id" value="C-5007"' in page


def test_the_order_keeps_the_call_id_and_the_pop_says_it_is_registered(
        city, switch, agent1, at):
    with at(2025, 9, 30, 10, 0, 5):
        switch.event("C-5008", "ringing", city_time(2025, 9, 30, 10), caller=CALLER)
        answer = _register(agent1, cti_call_id="C-5008")
        again = _register(agent1, cti_call_id="C-5008")
        pop = agent1.get("/cti/pop/").content.decode()
    assert answer.status_code == 200
    ref = ExternalRef.objects.get(channel=Channel.PHONE, external_id="C-5008")
    assert ref.order.citizen_phone == CALLER and ref.order.registered_by.username == "agent1"
    assert "该来电已登记过" in again.content.decode()
    assert WorkOrder.objects.filter(external_refs__external_id="C-5008").count() == 1
    assert "已登记为工单" in pop and ref.order.number in pop


def test_an_agent_cannot_link_a_call_that_rang_elsewhere(city, switch, at):
    with at(2025, 9, 30, 10, 0, 5):
        switch.event("C-5009", "ringing", city_time(2025, 9, 30, 10), caller=CALLER)
        answer = _register(_console(city, "agent2"), cti_call_id="C-5009")
    assert answer.status_code == 422
    assert "关联的来电不存在或不是打给您的" in answer.content.decode()
    assert not ExternalRef.objects.filter(external_id="C-5009").exists()


def test_an_expired_session_gets_a_bare_401_not_a_login_page_in_the_panel(db):
    answer = Client().get("/cti/pop/")
    assert answer.status_code == 401 and answer.content == b""
