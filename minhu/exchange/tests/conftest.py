"""Fixtures of the exchange tests: the province's token, pushes through the test client,
and the simulated provincial platform as a real process on a free port."""

import json

import pytest
from django.test import Client

from minhu.accounts.models import ApiToken, Scope
from minhu.exchange.simulator import build_push

from .processes import SECRET, Simulator

FUMES = "锦绣家园3号楼下烧烤店油烟和噪音扰民，晚上十二点还在营业"


class Province:
    """The province as the tests drive it: pushes down (test client), and reads what its
    simulated platform received (HTTP)."""

    def __init__(self, client: Client, key: str):
        self.client = client
        self.key = key

    def push_raw(self, body: bytes, content_type="application/json", key=None):
        return self.client.post("/api/v1/province/orders", body, content_type=content_type,
                                HTTP_AUTHORIZATION=f"Bearer {key or self.key}")

    def push(self, number, deadline, content=FUMES, **fields):
        fields.setdefault("category_code", "0802")
        fields.setdefault("citizen_name", "张晓梅")
        fields.setdefault("phone", "13812345678")
        fields.setdefault("address", "东城区锦绣家园3号楼")
        body = build_push(number, deadline.isoformat() if hasattr(deadline, "isoformat")
                          else deadline, content, **fields)
        return self.push_raw(json.dumps(body, ensure_ascii=False).encode("utf-8"))


@pytest.fixture
def province(city):
    from minhu.exchange.inbound import service_actor

    _, key = ApiToken.objects.issue(service_actor(), "省级平台", [Scope.PROVINCE])
    return Province(Client(), key)


@pytest.fixture
def simulator(tmp_path):
    sim = Simulator(tmp_path / "province.sqlite3").start()
    yield sim
    sim.stop()


@pytest.fixture
def connected(simulator, city):
    """The province endpoint pointing at the running simulator."""
    from minhu.exchange.outbound import configure

    configure(simulator.url + "/updates", SECRET)
    return simulator

