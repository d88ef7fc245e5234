import json

from minhu.accounts.models import ApiToken, Scope
from minhu.intake.models import RawIntake, RawStatus
from minhu.orders.actions import intake as intake_actions
from minhu.orders.models import ExternalRef, WorkOrder
from minhu.partners import actions
from minhu.partners.models import PartnerRequest

from .conftest import request_body


def raw_of(response) -> RawIntake:
    return RawIntake.objects.get(pk=response.json()["details"]["raw_id"])


def test_a_partner_files_a_request_and_gets_its_order_number(api, wechat):
    response = api.post(request_body())
    assert response.status_code == 201
    data = response.json()
    order = WorkOrder.objects.get(number=data["number"])
    assert (data["partner_id"], data["state"], data["state_label"], data["stage"]) == (
        "WX20250930-0001", "registered", "待派单", "received")
    assert order.channel == "wechat" and order.registered_by == wechat.account
    register = order.events.get(seq=1)
    assert (register.action, register.actor) == ("register", wechat.account)
    assert ExternalRef.objects.get(order=order).external_id == "yz-wxapp:WX20250930-0001"
    raw = RawIntake.objects.get(order=order)
    assert (raw.status, raw.source, raw.external_id) == (
        RawStatus.REGISTERED, "yz-wxapp", "WX20250930-0001")
    assert json.loads(raw.body)["content"].startswith("锦绣家园3号楼电梯")


def test_sending_the_same_request_again_returns_the_same_order(api):
    first = api.post(request_body())
    again = api.post(request_body())
    assert (first.status_code, again.status_code) == (201, 200)
    assert again["Idempotent-Replay"] == "true"
    assert again.json()["number"] == first.json()["number"]
    assert WorkOrder.objects.filter(content__startswith="锦绣家园3号楼电梯").count() == 1
    statuses = list(RawIntake.objects.filter(source="yz-wxapp").order_by("pk")
                    .values_list("status", flat=True))
    assert statuses == [RawStatus.REGISTERED, RawStatus.DUPLICATE]


def test_key_order_and_spacing_do_not_make_a_request_different(api):
    first = api.post(request_body())
    body = request_body()
    reordered = "{" + ", ".join(f'"{k}" : {json.dumps(body[k], ensure_ascii=False)}'
                                for k in reversed(list(body))) + "}"
    again = api.post(None, raw=reordered.encode())
    assert again.status_code == 200 and again.json()["number"] == first.json()["number"]


def test_the_partner_id_may_come_in_a_header(api):
    body = request_body()
    del body["partner_id"]
    response = api.post(body, headers={"X-Partner-Request-Id": "WX-HDR-7"})
    assert response.status_code == 201
    assert response.json()["partner_id"] == "WX-HDR-7"


def test_header_and_field_ids_must_agree(api):
    response = api.post(request_body(), headers={"X-Partner-Request-Id": "WX-OTHER"})
    assert response.status_code == 422
    assert response.json()["code"] == "partner_id_mismatch"
    assert raw_of(response).status == RawStatus.REJECTED


def test_a_reused_id_with_different_content_is_refused_with_409(api):
    first = api.post(request_body())
    number = first.json()["number"]
    response = api.post(request_body(content="另一件事：小区门口的路灯不亮"))
    assert response.status_code == 409
    data = response.json()
    assert data["code"] == "partner_id_conflict"
    assert "WX20250930-0001" in data["message"] and number in data["message"]
    raw = raw_of(response)
    assert (raw.status, raw.error_code) == (RawStatus.REJECTED, "partner_id_conflict")
    assert "路灯不亮" in raw.body
    assert PartnerRequest.objects.filter(their_id="WX20250930-0001").count() == 1


def test_two_partners_ids_never_collide(api, other_api):
    mine = api.post(request_body())
    theirs = other_api.post(request_body())
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json()["number"] != theirs.json()["number"]
    assert set(ExternalRef.objects.filter(external_id__endswith=":WX20250930-0001")
               .values_list("external_id", flat=True)) == {
        "yz-wxapp:WX20250930-0001", "yz-water:WX20250930-0001"}
    assert WorkOrder.objects.get(number=theirs.json()["number"]).channel == "hotline"


def _blind_once(monkeypatch, module, name):
    real = getattr(module, name)
    calls = []

    def late(*args, **kwargs):
        calls.append(args)
        return None if len(calls) == 1 else real(*args, **kwargs)

    monkeypatch.setattr(module, name, late)


def _twin_arrives_first(monkeypatch):
    """The twin request commits while this one is between its looks and its insert: both
    the partner's replay check and the registration's own look find nothing, so the insert
    of the external id collides and the registration answers with the twin's order."""
    _blind_once(monkeypatch, actions, "known_request")
    _blind_once(monkeypatch, intake_actions, "_existing")


def test_two_identical_requests_racing_make_one_order(api, monkeypatch):
    first = api.post(request_body())
    _twin_arrives_first(monkeypatch)
    second = api.post(request_body())
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["number"] == first.json()["number"]
    assert WorkOrder.objects.filter(external_refs__external_id="yz-wxapp:WX20250930-0001") \
        .count() == 1


def test_a_racing_twin_with_different_content_is_refused(api, monkeypatch):
    api.post(request_body())
    _twin_arrives_first(monkeypatch)
    response = api.post(request_body(content="另一件事：小区门口的路灯不亮"))
    assert response.status_code == 409
    assert RawIntake.objects.filter(source="yz-wxapp").latest("pk").status == RawStatus.REJECTED


def test_a_staff_api_token_is_refused_by_the_partner_api(client, city):
    _, key = ApiToken.objects.issue(city.agent, "staff", [Scope.API])
    response = client.post("/api/v1/partner/requests", data=request_body(),
                           content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    assert not RawIntake.objects.filter(channel="wechat").exists()


def test_a_partner_key_cannot_drive_the_staff_api(client, wechat):
    _, key = actions.issue_key(wechat)
    response = client.get("/api/v1/orders", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 401


def test_an_intake_key_of_an_account_that_is_not_a_partner_is_forbidden(client, city):
    _, key = ApiToken.objects.issue(city.agent, "not a partner", [Scope.INTAKE])
    response = client.post("/api/v1/partner/requests", data=request_body(),
                           content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 403
    assert response.json()["code"] == "not_a_partner"


def test_a_disabled_partner_is_refused(api, wechat):
    wechat.is_active = False
    wechat.save()
    assert api.post(request_body()).status_code == 403


def test_a_domain_refusal_is_kept_with_its_reason(api):
    response = api.post(request_body(category="NO-SUCH"))
    assert response.status_code == 422
    assert response.json()["code"] == "unknown_category"
    raw = raw_of(response)
    assert (raw.status, raw.error_code) == (RawStatus.REJECTED, "unknown_category")
    assert not PartnerRequest.objects.exists()
    # The partner fixes the category and sends again under the same id: accepted.
    assert api.post(request_body(category="CG01")).status_code == 201


def test_the_partner_api_is_described_with_its_body_in_openapi(client, db):
    paths = client.get("/api/openapi.json").json()["paths"]
    create = paths["/api/v1/partner/requests"]["post"]
    schema = create["requestBody"]["content"]["application/json"]["schema"]
    assert {"partner_id", "content", "community"} <= set(schema["properties"])
    assert {"201", "200", "409", "422"} <= set(create["responses"])
    assert "/api/v1/partner/requests/{partner_id}" in paths
