"""The CTI posts call events: stored once per (call, event), kept as one call record, and
refused with a clear reason when malformed or sent with the wrong kind of token."""

import pytest

from minhu.accounts.models import ApiToken, Scope
from minhu.telephony.models import AgentExtension, CallEvent, CallRecord

from .conftest import Switch, city_time


def test_a_call_rings_is_answered_and_ends_into_one_answered_record(switch):
    assert switch.event("C-1001", "ringing", city_time(2025, 9, 30, 10, 0, 0)).status_code == 201
    assert switch.event("C-1001", "answered", city_time(2025, 9, 30, 10, 0, 12)).status_code == 201
    ended = switch.event("C-1001", "ended", city_time(2025, 9, 30, 10, 4, 12))
    assert ended.status_code == 201 and ended.json()["duplicate"] is False
    record = CallRecord.objects.get(call_id="C-1001")
    assert (record.outcome, record.wait_seconds, record.talk_seconds) == ("answered", 12, 240)
    assert record.agent.username == "agent1" and record.caller == "13905710001"
    assert CallEvent.objects.filter(call_id="C-1001").count() == 3


def test_ringing_at_a_known_agent_says_it_popped(switch):
    body = switch.event("C-1002", "ringing", city_time(2025, 9, 30, 10)).json()
    assert body == {"call_id": "C-1002", "event": "ringing", "duplicate": False,
                    "agent": "agent1", "popped": True, "warning": ""}


def test_the_same_event_twice_is_stored_once(switch):
    first = switch.event("C-1003", "ringing", city_time(2025, 9, 30, 10))
    again = switch.event("C-1003", "ringing", city_time(2025, 9, 30, 10, 0, 5))
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["duplicate"] is True
    assert CallEvent.objects.filter(call_id="C-1003").count() == 1
    assert CallEvent.objects.get(call_id="C-1003").at.second == 0  # the first one stays


def test_events_arriving_out_of_order_give_the_same_record(switch):
    switch.event("C-1004", "ended", city_time(2025, 9, 30, 10, 3))
    switch.event("C-1004", "answered", city_time(2025, 9, 30, 10, 0, 20))
    switch.event("C-1004", "ringing", city_time(2025, 9, 30, 10))
    record = CallRecord.objects.get(call_id="C-1004")
    assert (record.outcome, record.wait_seconds, record.talk_seconds) == ("answered", 20, 160)


def test_a_caller_hanging_up_while_it_rings_is_an_abandoned_call(switch):
    switch.event("C-1005", "ringing", city_time(2025, 9, 30, 10))
    switch.event("C-1005", "abandoned", city_time(2025, 9, 30, 10, 0, 31))
    record = CallRecord.objects.get(call_id="C-1005")
    assert (record.outcome, record.wait_seconds, record.talk_seconds) == ("abandoned", 31, None)


def test_ringing_out_without_an_answer_is_a_missed_call(switch):
    switch.event("C-1006", "ringing", city_time(2025, 9, 30, 10))
    switch.event("C-1006", "ended", city_time(2025, 9, 30, 10, 0, 40))
    assert CallRecord.objects.get(call_id="C-1006").outcome == "missed"


def test_an_agent_may_be_named_by_extension(switch, city):
    AgentExtension.objects.create(extension="8001", user=city.user("agent2"))
    body = switch.event("C-1007", "ringing", city_time(2025, 9, 30, 10), agent="8001").json()
    assert body["agent"] == "agent2" and body["popped"] is True


def test_an_unknown_agent_is_stored_with_a_warning_not_lost(switch):
    body = switch.event("C-1008", "ringing", city_time(2025, 9, 30, 10), agent="9999").json()
    assert body["agent"] is None and body["popped"] is False and "9999" in body["warning"]
    assert CallEvent.objects.get(call_id="C-1008").agent_ref == "9999"


def test_a_withheld_number_is_accepted_as_empty(switch):
    assert switch.event("C-1009", "ringing", city_time(2025, 9, 30, 10),
                        caller="").status_code == 201


# --- Bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(("body", "field"), [
    ({"event": "ringing", "at": "2025-09-30T10:00:00+08:00"}, "call_id"),
    ({"call_id": "C-1", "at": "2025-09-30T10:00:00+08:00"}, "event"),
    ({"call_id": "C-1", "event": "ringing"}, "at"),
])
def test_a_missing_field_is_named_in_chinese(switch, body, field):
    answer = switch.post("calls", body)
    assert answer.status_code == 422
    assert answer.json()["code"] == "validation_failed"
    assert f"字段 {field} 为必填项" in answer.json()["message"]


@pytest.mark.parametrize("caller", ["138-abc-5678", "<script>alert(1)</script>", "📞📞📞",
                                    "1" * 21])
def test_a_bad_phone_number_is_refused(switch, caller):
    answer = switch.event("C-2001", "ringing", city_time(2025, 9, 30, 10), caller=caller)
    assert answer.status_code == 422
    assert "caller" in answer.json()["message"]
    assert not CallEvent.objects.filter(call_id="C-2001").exists()


@pytest.mark.parametrize("call_id", ["<script>", "通话😀", "", "x" * 65])
def test_a_bad_call_id_is_refused(switch, call_id):
    answer = switch.event(call_id, "ringing", city_time(2025, 9, 30, 10))
    assert answer.status_code == 422 and "call_id" in answer.json()["message"]


def test_an_unknown_event_lists_the_known_ones(switch):
    answer = switch.event("C-2002", "transferred", city_time(2025, 9, 30, 10))
    assert answer.status_code == 422 and "ringing" in answer.json()["message"]


def test_a_gbk_body_is_refused_as_not_utf8(switch):
    body = '{"call_id": "C-2003", "event": "ringing", "at": "2025-09-30T10:00:00", ' \
           '"queue": "投诉专线"}'
    answer = switch.post("calls", None, raw=body.encode("gbk"))
    assert answer.status_code == 400 and answer.json()["code"] == "bad_json"
    assert "UTF-8" in answer.json()["message"]


def test_script_in_the_queue_name_is_stored_as_text(switch):
    answer = switch.event("C-2004", "ringing", city_time(2025, 9, 30, 10),
                          queue="<script>alert(1)</script>")
    assert answer.status_code == 201
    assert CallEvent.objects.get(call_id="C-2004").queue == "<script>alert(1)</script>"


def test_a_time_without_offset_is_city_time(switch):
    switch.event("C-2005", "ringing", "2025-09-30T10:00:00")
    assert CallEvent.objects.get(call_id="C-2005").at.isoformat() == "2025-09-30T02:00:00+00:00"


# --- Scopes --------------------------------------------------------------------------------


def test_an_intake_scoped_token_is_refused(city):
    _, key = ApiToken.objects.issue(city.user("admin"), "合作方", [Scope.INTAKE])
    answer = Switch(key).event("C-3001", "ringing", city_time(2025, 9, 30, 10))
    assert answer.status_code == 401 and answer.json()["code"] == "unauthenticated"
    assert not CallEvent.objects.filter(call_id="C-3001").exists()


def test_a_staff_api_token_is_refused_too(city):
    _, key = ApiToken.objects.issue(city.user("agent1"), "脚本", [Scope.API])
    assert Switch(key).event("C-3002", "ringing",
                             city_time(2025, 9, 30, 10)).status_code == 401


def test_no_token_is_refused(city):
    from django.test import Client

    answer = Client().post("/api/v1/cti/calls", data="{}", content_type="application/json")
    assert answer.status_code == 401
