"""Orders pushed down by the province: registered once, with half the remaining time for
the city's units, the province's codes mapped, and every bad push kept raw with a code."""

import json
from datetime import timedelta

import pytest

from minhu.accounts.models import ApiToken, Scope
from minhu.core import clock
from minhu.exchange.models import CodeMapping, ProvinceOrder
from minhu.intake.models import RawIntake, RawStatus
from minhu.orders.actions import do_dispatch
from minhu.orders.models import ExternalRef, WorkOrder
from minhu.orders.states import Channel, State


def test_a_pushed_order_is_registered_once_and_its_units_get_half_the_remaining_time(
        city, province, at):
    with at(2026, 11, 23, 9):
        deadline = clock.now() + timedelta(days=6)
        first = province.push("GS202611230001", deadline)
        again = province.push("GS202611230001", deadline)

        assert first.status_code == 201, first.content.decode()
        assert again.status_code == 200
        assert first.json()["city_no"] == again.json()["city_no"]
        assert again.json()["created"] is False
        order = WorkOrder.objects.get(number=first.json()["city_no"])
        assert ExternalRef.objects.filter(channel=Channel.PROVINCE,
                                          external_id="GS202611230001").count() == 1
        assert order.channel == Channel.PROVINCE
        assert order.registered_by.username == "svc-province"
        register = order.events.get(seq=1)
        assert register.action == "register" and register.actor.username == "svc-province"
        statuses = list(RawIntake.objects.filter(channel=Channel.PROVINCE)
                        .order_by("pk").values_list("status", flat=True))
        assert statuses == [RawStatus.REGISTERED, RawStatus.DUPLICATE]

        po = ProvinceOrder.objects.get(province_no="GS202611230001")
        assert po.order == order
        assert po.province_due_at == deadline
        assert po.internal_due_at == clock.now() + timedelta(days=3)

        order = do_dispatch(order, city.dispatcher, city.unit("DC01").pk)
        assert order.due_at == clock.now() + timedelta(days=3)
        po.refresh_from_db()
        assert po.province_due_at == deadline  # the province's own deadline is kept


def test_the_deadline_ratio_is_a_setting(city, province, at, settings):
    settings.MINHU_PROVINCE_DEADLINE_RATIO = "0.8"
    with at(2026, 11, 23, 9):
        province.push("GS202611230002", clock.now() + timedelta(days=5))
        po = ProvinceOrder.objects.get(province_no="GS202611230002")
        assert po.internal_due_at == clock.now() + timedelta(days=4)


def test_mapped_codes_become_ours(city, province, at):
    with at(2026, 11, 23, 9):
        response = province.push("GS202611230003", clock.now() + timedelta(days=4),
                                 type_code="03", category_code="0801", urgency_code="2")
        order = WorkOrder.objects.get(number=response.json()["city_no"])
        assert (order.request_type.code, order.category.code, order.urgency.code) == \
            ("complaint", "CG01", "pressing")
        assert response.json()["needs_review"] is False


def test_unmapped_codes_fall_back_to_defaults_and_are_flagged_for_the_dispatcher(
        city, province, at, client):
    with at(2026, 11, 23, 9):
        response = province.push("GS202611230004", clock.now() + timedelta(days=4),
                                 type_code="77", category_code="9999", urgency_code="1")
        body = response.json()
        assert response.status_code == 201
        order = WorkOrder.objects.get(number=body["city_no"])
        assert order.request_type.code == "help"
        assert order.category is None
        assert body["needs_review"] is True
        assert {(u["kind"], u["code"]) for u in body["unmapped"]} == {
            ("request_type", "77"), ("category", "9999")}
        client.force_login(city.dispatcher)
        page = client.get("/exchange/?show=review").content.decode()
        assert "GS202611230004" in page and "待核对" in page


def test_an_admin_cannot_map_a_province_code_onto_a_code_we_do_not_have(city):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        CodeMapping(kind="category", province_code="5555", our_code="NOPE").full_clean()
    CodeMapping(kind="category", province_code="5555", our_code="CG02").full_clean()


def test_the_province_can_read_where_its_order_stands(city, province, at):
    with at(2026, 11, 23, 9):
        pushed = province.push("GS202611230005", clock.now() + timedelta(days=4))
        order = WorkOrder.objects.get(number=pushed.json()["city_no"])
        do_dispatch(order, city.dispatcher, city.unit("DC01").pk)
        response = province.client.get("/api/v1/province/orders/GS202611230005",
                                        HTTP_AUTHORIZATION=f"Bearer {province.key}")
        assert response.status_code == 200
        assert (response.json()["status"], response.json()["status_name"]) == ("02", "已派发")
        missing = province.client.get("/api/v1/province/orders/GS-NONE",
                                      HTTP_AUTHORIZATION=f"Bearer {province.key}")
        assert missing.status_code == 404


def test_a_push_again_after_the_deadline_passed_still_finds_the_same_order(
        city, province, at):
    with at(2026, 11, 23, 9):
        first = province.push("GS202611230006", clock.now() + timedelta(days=1))
    with at(2026, 11, 26, 9):
        again = province.push("GS202611230006", clock.now() - timedelta(days=2))
    assert again.status_code == 200
    assert again.json()["city_no"] == first.json()["city_no"]


def test_only_a_province_token_may_push(city, province, at):
    _, staff_key = ApiToken.objects.issue(city.agent, "工作人员", [Scope.API])
    with at(2026, 11, 23, 9):
        body = json.dumps({"province_no": "GS1", "deadline": "2026-11-30T00:00:00+08:00",
                           "content": "路灯不亮"}).encode()
        assert province.push_raw(body, key=staff_key).status_code == 401
        assert province.client.post("/api/v1/province/orders", body,
                                    content_type="application/json").status_code == 401
    assert not RawIntake.objects.filter(channel=Channel.PROVINCE).exists()


# --- Bad input: a clear code, and the push kept raw -------------------------------------

GOOD = {"province_no": "GS202611239999", "deadline": "2026-11-28T18:00:00+08:00",
        "content": "路灯不亮", "type_code": "03"}


def _json(**changes):
    body = {**GOOD, **changes}
    return json.dumps({k: v for k, v in body.items() if v is not None},
                      ensure_ascii=False).encode("utf-8")


BAD_PUSHES = [
    ("gbk", json.dumps({**GOOD, "content": "路灯不亮了"}, ensure_ascii=False).encode("gbk"),
     400, "bad_encoding"),
    ("not json", b"province_no=GS1&content=x", 400, "bad_json"),
    ("empty", b"", 422, "empty_body"),
    ("array", b"[1, 2]", 422, "validation_failed"),
    ("no number", _json(province_no=None), 422, "missing_province_no"),
    ("blank number", _json(province_no="   "), 422, "missing_province_no"),
    ("odd number", _json(province_no="GS 1/2"), 422, "bad_province_no"),
    ("no deadline", _json(deadline=None), 422, "missing_deadline"),
    ("bad deadline", _json(deadline="下周五"), 422, "bad_deadline"),
    ("past deadline", _json(deadline="2026-11-20T18:00:00+08:00"), 422, "deadline_passed"),
    ("no content", _json(content=""), 422, "missing_content"),
    ("long content", _json(content="长" * 5001), 422, "too_long"),
    ("oversized", _json(content="x" * 70_000), 413, "payload_too_large"),
    ("number as int", _json(province_no=12345), 422, "validation_failed"),
    ("bad phone", _json(citizen={"phone": "call me maybe"}), 422, "bad_phone"),
    ("nul", _json(content="路灯\x00不亮"), 422, "bad_characters"),
]


@pytest.mark.parametrize("body,status,code", [b[1:] for b in BAD_PUSHES],
                         ids=[b[0] for b in BAD_PUSHES])
def test_a_bad_push_gets_a_clear_code_and_is_kept_raw(city, province, at, body, status,
                                                      code):
    with at(2026, 11, 23, 9):
        response = province.push_raw(body)
    assert response.status_code == status, response.content.decode()
    assert response.json()["code"] == code
    assert response.json()["message"]  # a Chinese sentence for the province's operators
    raw = RawIntake.objects.get(channel=Channel.PROVINCE)
    assert raw.status == RawStatus.REJECTED and raw.error_code == code
    assert raw.body or not body
    assert not WorkOrder.objects.filter(channel=Channel.PROVINCE).exists()


def test_a_gbk_push_is_kept_losslessly(city, province, at):
    body = json.dumps({**GOOD, "content": "路灯不亮"}, ensure_ascii=False).encode("gbk")
    with at(2026, 11, 23, 9):
        province.push_raw(body)
    raw = RawIntake.objects.get(channel=Channel.PROVINCE)
    assert raw.body_escaped is True
    assert raw.body.encode("utf-8").decode("unicode_escape").encode("latin-1") == body


def test_emoji_and_script_are_kept_as_text_and_shown_escaped(city, province, at, client):
    content = "🚧🚧 路灯坏了 😡😡😡 <script>alert('x')</script> 🙏" * 3
    with at(2026, 11, 23, 9):
        response = province.push("GS202611230007", clock.now() + timedelta(days=4),
                                 content=content, title="<b>紧急</b>🔥")
    assert response.status_code == 201
    order = WorkOrder.objects.get(number=response.json()["city_no"])
    assert order.content == content.strip()
    client.force_login(city.dispatcher)
    page = client.get("/exchange/").content.decode()
    assert "GS202611230007" in page
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert" in page


def test_a_push_whose_registration_failed_is_registered_by_the_retry(
        city, province, at, monkeypatch):
    from minhu.intake import actions as intake_actions

    def broken(*args, **kwargs):
        raise RuntimeError("database hiccup")

    with at(2026, 11, 23, 9):
        with monkeypatch.context() as m:
            m.setattr(intake_actions, "do_register", broken)
            response = province.push("GS202611230008", clock.now() + timedelta(days=4))
        assert response.status_code == 500
        raw = RawIntake.objects.get(channel=Channel.PROVINCE)
        assert raw.status == RawStatus.FAILED
        po = ProvinceOrder.objects.get(province_no="GS202611230008")
        assert po.order is None  # received and kept, waiting for its order

        order, created = intake_actions.retry_failed(raw)
    assert created and order.channel == Channel.PROVINCE
    po.refresh_from_db()
    assert po.order == order
    assert order.external_due_at == po.internal_due_at
    assert order.state == State.REGISTERED


def test_a_push_beyond_the_servers_upload_limit_is_refused_cleanly(city, province, at,
                                                                     settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    with at(2026, 11, 23, 9):
        response = province.push_raw(_json(content="x" * (2 * 1024 * 1024)))
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
