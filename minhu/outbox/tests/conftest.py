import pytest

from minhu.outbox import actions
from minhu.outbox.models import Endpoint

from .receiver import receiver_fixture  # noqa: F401  (a real HTTP receiver)


@pytest.fixture
def endpoint(db, receiver):
    return Endpoint.objects.create(code="test-hook", name="测试回调", url=receiver.url,
                                   secret=receiver.secret, max_attempts=4)


@pytest.fixture
def followed(endpoint):
    """Every event of orders whose content mentions 推送 goes to the test endpoint."""

    def fn(order, event):
        if "推送" in order.content:
            yield endpoint, {"number": order.number, "seq": event.seq, "event": event.action,
                             "state": order.state, "note": "油烟😀<script>alert(1)</script>"}

    actions.follow("test", fn)
    yield endpoint
    actions.FOLLOWERS.pop("test", None)
