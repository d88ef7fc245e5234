"""Shared test fixtures: the demo city's map and people, built once per test session.

Tests run inside a transaction that is rolled back, so the city stays as built. Tests
must not use ``transaction=True`` (a flush would empty the city for later tests).
"""

import random
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from minhu.core import clock

CITY_TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from minhu.demo.duties import build_responsibility_list
    from minhu.demo.geography import build_geography
    from minhu.demo.people import build_people
    from minhu.geo.boundaries import build_demo_boundaries

    with django_db_blocker.unblock():
        geo = build_geography(random.Random(12345))
        build_demo_boundaries()
        build_people(geo)
        build_responsibility_list(geo)


class City:
    """Named people and places of the demo city 云州市, looked up fresh for each use."""

    def user(self, username: str):
        from minhu.accounts.models import User

        return User.objects.select_related("unit").get(username=username)

    def unit(self, code: str):
        from minhu.org.models import Unit

        return Unit.objects.get(code=code)

    # The people most tests talk about.
    @property
    def agent(self):
        return self.user("agent1")

    @property
    def dispatcher(self):
        return self.user("dispatcher1")

    @property
    def supervisor(self):
        return self.user("supervisor1")

    @property
    def callback_agent(self):
        return self.user("callback1")

    @property
    def street_handler(self):  # 东城区 first street (DC01)
        return self.user("dc01_handler")

    @property
    def other_street_handler(self):  # 东城区 second street (DC02)
        return self.user("dc02_handler")

    @property
    def department_handler(self):  # 市城市管理局 (CGJ)
        return self.user("cgj_handler")


@pytest.fixture
def city(db) -> City:
    return City()


@pytest.fixture
def at():
    """Pin the platform clock: ``with at(2025, 9, 30, 10): ...`` (local city time)."""

    def pin(*parts):
        return clock.pinned(datetime(*parts, tzinfo=CITY_TZ))

    return pin


@pytest.fixture
def new_order(city):
    """Register an order as agent1 (a 一般 complaint in 东城区 DC0101 unless overridden)."""
    from minhu.orders.actions import Intake, do_register

    def make(actor=None, **fields):
        defaults = dict(content="小区楼下烧烤店油烟和噪音扰民，晚上十二点还在营业",
                        request_type="complaint", urgency="normal", category="CG01",
                        citizen_name="张晓梅", citizen_phone="13812345678",
                        community="DC0101", address="锦绣家园3号楼")
        defaults.update(fields)
        order, _ = do_register(actor or city.agent, Intake(**defaults))
        return order

    return make


@pytest.fixture
def dispatched_order(city, new_order):
    """An order dispatched by dispatcher1 to street DC01 as lead."""
    from minhu.orders.actions import do_dispatch

    def make(lead="DC01", co=(), **fields):
        order = new_order(**fields)
        return do_dispatch(order, city.dispatcher, city.unit(lead).pk,
                           [city.unit(c).pk for c in co])

    return make


@pytest.fixture
def registration_fails_once(monkeypatch):
    """The first registration through a channel hits a database error (the raw intake is
    kept as failed); later ones go through. Returns the list of attempts."""
    from minhu.intake import actions as intake_actions

    real = intake_actions.do_register
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("could not serialize access")
        return real(*args, **kwargs)

    monkeypatch.setattr(intake_actions, "do_register", flaky)
    return calls
