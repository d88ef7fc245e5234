from minhu.orders.actions import do_dispatch, do_reply, do_sign
from minhu.partners.models import PartnerRequest

from .conftest import request_body


def file(api, their_id, **fields):
    response = api.post(request_body(partner_id=their_id, **fields))
    assert response.status_code == 201, response.content
    return PartnerRequest.objects.get(their_id=their_id).order


def test_a_partner_reads_the_state_and_reply_of_its_request(api, city, at):
    with at(2025, 9, 30, 9):
        order = file(api, "WX-1")
    with at(2025, 9, 30, 10):
        order = do_dispatch(order, city.dispatcher, city.unit("DC01").pk, [])
        do_sign(order, city.street_handler)
        data = api.get("/WX-1").json()
        assert (data["state"], data["state_label"], data["stage"], data["reply"]) == (
            "handling", "办理中", "processing", None)
    with at(2025, 9, 30, 15):
        do_reply(order, city.street_handler, "已联系物业修复电梯，今日恢复运行", solved=True)
        data = api.get("/WX-1").json()
    assert (data["state"], data["stage"]) == ("replied", "replied")
    assert data["reply"]["text"] == "已联系物业修复电梯，今日恢复运行"
    assert data["reply"]["solved"] is True and data["reply"]["unit"]
    assert data["replied_at"] == "2025-09-30T15:00:00+08:00"


def test_another_partners_request_looks_like_a_missing_one(api, other_api):
    file(api, "WX-1")
    assert other_api.get("/WX-1").status_code == 404
    assert other_api.get("/NO-SUCH").json()["code"] == "not_found"
    assert other_api.get("").json()["items"] == []


def test_an_id_that_could_never_exist_is_not_found(api):
    assert api.get("/%3Cscript%3E").status_code == 404


def test_the_list_pages_through_changes_oldest_first(api, city, at):
    for hour, their_id in ((9, "WX-A"), (10, "WX-B"), (11, "WX-C")):
        with at(2025, 9, 30, hour):
            file(api, their_id)
    with at(2025, 9, 30, 12):
        first = PartnerRequest.objects.get(their_id="WX-A").order
        do_dispatch(first, city.dispatcher, city.unit("DC01").pk, [])
    page = api.get("", limit=2).json()
    assert [i["partner_id"] for i in page["items"]] == ["WX-B", "WX-C"]
    rest = api.get("", limit=2, cursor=page["next_cursor"]).json()
    assert [i["partner_id"] for i in rest["items"]] == ["WX-A"]
    assert rest["next_cursor"] is None


def test_the_list_filters_by_state_and_by_change_time(api, city, at):
    for hour, their_id in ((9, "WX-A"), (10, "WX-B")):
        with at(2025, 9, 30, hour):
            file(api, their_id)
    with at(2025, 9, 30, 12):
        do_dispatch(PartnerRequest.objects.get(their_id="WX-A").order, city.dispatcher,
                    city.unit("DC01").pk, [])
    dispatched = api.get("", state="dispatched,handling").json()["items"]
    assert [i["partner_id"] for i in dispatched] == ["WX-A"]
    recent = api.get("", since="2025-09-30T09:30:00").json()["items"]
    assert [i["partner_id"] for i in recent] == ["WX-B", "WX-A"]
    assert api.get("", since="2025-09-30T12:30:00+08:00").json()["items"] == []


def test_bad_list_parameters_get_a_stable_code(api):
    assert api.get("", cursor="not-a-cursor").json()["code"] == "bad_cursor"
    assert api.get("", state="finished").json()["code"] == "bad_state"
    response = api.get("", limit=5000)
    assert response.status_code == 422 and response.json()["code"] == "validation_failed"
    assert api.get("", since="yesterday").status_code == 422
