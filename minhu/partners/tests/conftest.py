import json

import pytest

from minhu.outbox.tests.receiver import receiver_fixture  # noqa: F401  (a real HTTP receiver)
from minhu.partners.actions import add_partner, issue_key

URL = "/api/v1/partner/requests"


class PartnerClient:
    """Calls the partner API with one partner's key, the way its system would."""

    def __init__(self, client, key):
        self.client, self.key = client, key

    def post(self, body, *, raw: bytes | None = None, headers: dict | None = None,
             content_type="application/json"):
        data = raw if raw is not None else json.dumps(body, ensure_ascii=False).encode()
        return self.client.post(URL, data=data, content_type=content_type,
                                HTTP_AUTHORIZATION=f"Bearer {self.key}",
                                **{f"HTTP_{k.upper().replace('-', '_')}": v
                                   for k, v in (headers or {}).items()})

    def get(self, path="", **params):
        return self.client.get(URL + path, params, HTTP_AUTHORIZATION=f"Bearer {self.key}")


@pytest.fixture
def wechat(city):
    partner, _ = add_partner("yz-wxapp", "云州12345小程序", "wechat")
    return partner


@pytest.fixture
def hotline(city):
    partner, _ = add_partner("yz-water", "自来水服务热线", "hotline")
    return partner


@pytest.fixture
def api(client, wechat):
    return PartnerClient(client, issue_key(wechat)[1])


@pytest.fixture
def other_api(client, hotline):
    return PartnerClient(client, issue_key(hotline)[1])


def request_body(**fields):
    body = {"partner_id": "WX20250930-0001", "content": "锦绣家园3号楼电梯坏了三天，老人上不了楼",
            "request_type": "complaint", "citizen_name": "王建国",
            "citizen_phone": "13912345678", "community": "DC0101"}
    body.update(fields)
    return body
