import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from minhu.accounts.models import ApiToken, Scope

CITY_TZ = ZoneInfo("Asia/Shanghai")


def city_time(*parts) -> str:
    return datetime(*parts, tzinfo=CITY_TZ).isoformat()


class Switch:
    """The call centre's telephony system talking to our CTI hook with its token."""

    def __init__(self, key: str):
        self.client = Client()
        self.key = key

    def post(self, path: str, body, *, raw: bytes | None = None):
        data = raw if raw is not None else json.dumps(body, ensure_ascii=False).encode()
        return self.client.post(f"/api/v1/cti/{path}", data=data,
                                content_type="application/json",
                                HTTP_AUTHORIZATION=f"Bearer {self.key}")

    def event(self, call_id, event, at, caller="13905710001", agent="agent1", **extra):
        return self.post("calls", {"call_id": call_id, "event": event, "at": at,
                                   "caller": caller, "agent": agent, **extra})


@pytest.fixture
def switch(city):
    _, key = ApiToken.objects.issue(city.user("admin"), "话务系统", [Scope.CTI])
    return Switch(key)
