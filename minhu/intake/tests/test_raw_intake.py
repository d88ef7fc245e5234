"""Raw intake: what a channel sent is kept, whatever became of it."""

import pytest

from minhu.accounts.models import ApiToken, Scope
from minhu.core.errors import ValidationFailed
from minhu.intake.actions import receive, register_from, retry_failed, service_account
from minhu.intake.models import RawIntake, RawStatus
from minhu.orders.actions import Intake
from minhu.orders.states import Channel


def _partner(city):
    return service_account("svc-test-partner", "测试合作方")


def test_a_gbk_payload_is_kept_losslessly_and_marked_as_escaped(city):
    raw = receive(Channel.PARTNER, body="噪音扰民".encode("gbk"), source="wechat")
    raw.refresh_from_db()
    assert raw.body_escaped
    assert raw.body.encode("utf-8").decode("unicode_escape").encode("latin-1") == \
        "噪音扰民".encode("gbk")
    assert raw.status == RawStatus.RECEIVED


def test_a_valid_payload_becomes_an_order_and_the_raw_row_points_at_it(city):
    raw = receive(Channel.PARTNER, body='{"content": "路灯不亮"}', source="wechat",
                  external_id="W-1")
    order, created = register_from(raw, _partner(city), Intake(
        content="路灯不亮", channel=Channel.PARTNER, external_id="W-1", community="DC0101"))
    raw.refresh_from_db()
    assert created and raw.status == RawStatus.REGISTERED and raw.order == order
    again = receive(Channel.PARTNER, body='{"content": "路灯不亮"}', source="wechat",
                    external_id="W-1")
    same, created = register_from(again, _partner(city), Intake(
        content="路灯不亮", channel=Channel.PARTNER, external_id="W-1", community="DC0101"))
    again.refresh_from_db()
    assert same == order and not created and again.status == RawStatus.DUPLICATE


def test_a_refused_payload_is_kept_with_the_code_and_message_the_sender_got(city):
    raw = receive(Channel.PARTNER, body='{"content": ""}', source="wechat")
    with pytest.raises(ValidationFailed) as err:
        register_from(raw, _partner(city), Intake(content="", channel=Channel.PARTNER))
    raw.refresh_from_db()
    assert raw.status == RawStatus.REJECTED
    assert raw.error_code == err.value.code and "诉求内容" in raw.error_message
    assert RawIntake.objects.filter(pk=raw.pk).exists()


def test_a_failed_payload_can_be_retried_through_its_channel_parser(city, monkeypatch):
    from minhu.intake import actions

    raw = receive(Channel.PARTNER, body="路灯不亮", source="wechat")
    RawIntake.objects.filter(pk=raw.pk).update(status=RawStatus.FAILED)
    raw.refresh_from_db()
    monkeypatch.setitem(actions.PARSERS, Channel.PARTNER, lambda r: (
        _partner(city), Intake(content=r.body, channel=Channel.PARTNER, community="DC0101"),
        {}))
    order, created = retry_failed(raw)
    raw.refresh_from_db()
    assert created and raw.status == RawStatus.REGISTERED and raw.attempts == 1
    assert order.content == "路灯不亮"


def test_a_service_account_can_register_but_cannot_sign_in(city):
    user = service_account("svc-portal", "市民门户")
    assert user.has_role("agent") and not user.has_usable_password()
    assert service_account("svc-portal", "市民门户").pk == user.pk


def test_a_token_only_opens_the_doors_of_its_scopes(city):
    _, key = ApiToken.objects.issue(city.agent, "合作方", [Scope.INTAKE])
    assert ApiToken.objects.authenticate(key, Scope.INTAKE) is not None
    assert ApiToken.objects.authenticate(key) is None  # not the staff API
    assert ApiToken.objects.authenticate(key, Scope.OPEN311) is None
    with pytest.raises(ValueError):
        ApiToken.objects.issue(city.agent, "坏范围", ["everything"])


def test_a_nul_byte_is_kept_escaped_because_the_database_cannot_hold_it(city):
    raw = receive(Channel.PARTNER, body=b'{"content": "a\x00b"}', source="wechat")
    raw.refresh_from_db()
    assert raw.body_escaped and raw.body == '{"content": "a\\x00b"}'


def test_nul_characters_in_labels_and_metadata_do_not_stop_the_payload_being_kept(city):
    raw = receive(Channel.PARTNER, body="x", source="we\x00chat", external_id="A\x00",
                  meta={"ua": "bad\x00agent"})
    raw.refresh_from_db()
    assert (raw.source, raw.external_id, raw.meta) == ("wechat", "A", {"ua": "badagent"})
