"""Open311 against the live demo city, read by a real third-party client: the ``georeport``
package from PyPI. No browser is driven here; these tests share the live city of the
browser tests when Chromium is there, and start one of their own when it is not.

``georeport`` only reads (services, service definitions, requests); it has no call for
discovery or for creating a request, so those two go through ``requests``, the HTTP
library the client itself is built on.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .city import ROOT, CityError, LiveCity

georeport = pytest.importorskip("georeport")
requests = pytest.importorskip("requests")

POTHOLE = {"service_code": "SZ06", "description": "人民路口人行道地砖松动，老人差点摔倒 🚧",
           "lat": "30.2500", "long": "120.1500", "address_string": "人民路 88 号门口",
           "first_name": "芳", "last_name": "王", "phone": "13900001111",
           "attribute[request_type]": "complaint"}


@pytest.fixture(scope="session")
def open311_city(request, tmp_path_factory):
    """The browser tests' live city if they can run here, otherwise a city of our own."""
    try:
        yield request.getfixturevalue("live_city")
        return
    except pytest.skip.Exception:
        pass
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        database_url = ""
    try:
        city = LiveCity.start(Path(tmp_path_factory.mktemp("open311-city")),
                              database_url=database_url or None)
    except CityError as exc:
        pytest.fail(f"the live demo city could not start: {exc}", pytrace=False)
    yield city
    city.stop()


@pytest.fixture(scope="session")
def api_key(open311_city):
    """Issued the way an administrator does it: ``minhu open311-key``."""
    done = subprocess.run([sys.executable, "-m", "minhu.cli", "open311-key", "georeport 客户端"],
                          cwd=ROOT, env=open311_city.env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()[1].strip()


@pytest.fixture(scope="session")
def root(open311_city):
    return open311_city.base_url + "/open311/v2"


@pytest.fixture(scope="session")
def created(root, api_key):
    """One request created over HTTP with the api_key: its answer."""
    answer = requests.post(f"{root}/requests.json", data={"api_key": api_key, **POTHOLE},
                           timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()[0]


def listed(parsed) -> list:
    """xmltodict gives one element as a dict and several as a list."""
    if parsed is None:
        return []
    return parsed if isinstance(parsed, list) else [parsed]


def test_discovery_points_the_client_at_this_server(root):
    data = requests.get(f"{root}/discovery.json", timeout=30).json()
    assert data["endpoints"][0]["url"] == root
    assert "text/xml" in data["endpoints"][0]["formats"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_client_reads_our_taxonomy_as_services(root, fmt):
    client = georeport.GeoReport(root, output_format=fmt)
    services = listed(client.get_service_list())
    by_code = {s["service_code"]: s for s in services}
    assert by_code["SZ06"]["service_name"] == "道路设施与路灯"
    assert by_code["SZ06"]["group"] == "市政公用"
    assert str(by_code["SZ06"]["metadata"]).lower() == "true"
    assert len(services) > 100


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_client_reads_a_service_definition(root, fmt):
    definition = georeport.GeoReport(root, output_format=fmt).get_service_definition("SZ06")
    attributes = definition["attributes"]
    attributes = listed(attributes["attribute"]) if fmt == "xml" else attributes
    codes = [a["code"] for a in attributes]
    assert codes[:4] == ["request_type", "urgency", "observed_at", "affected_count"]
    values = listed(attributes[0]["values"]["value"]) if fmt == "xml" else attributes[0][
        "values"]
    assert {"key": "complaint", "name": "投诉"} in [dict(v) for v in values]


def test_a_request_created_with_the_api_key_gets_an_order_number_and_a_token(root, created):
    assert re.fullmatch(r"YZ\d{8}\d+", created["service_request_id"])
    tokens = requests.get(f"{root}/tokens/{created['token']}.json", timeout=30).json()
    assert tokens == [{"service_request_id": created["service_request_id"],
                       "token": created["token"]}]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_client_fetches_the_request_it_created(root, created, fmt):
    client = georeport.GeoReport(root, output_format=fmt)
    item = client.get_service_request(created["service_request_id"])
    assert item["status"] == "open"
    assert item["status_notes"] == "已受理，12345 中心正在确定承办单位"
    assert item["service_code"] == "SZ06"
    assert item["description"] == POTHOLE["description"]
    assert item["requested_datetime"].endswith("+08:00")
    assert float(item["lat"]) == 30.25 and float(item["long"]) == 120.15


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_client_lists_requests_with_filters(root, created, fmt):
    client = georeport.GeoReport(root, output_format=fmt)
    number = created["service_request_id"]
    by_id = listed(client.get_service_requests(service_request_id=number))
    assert [r["service_request_id"] for r in by_id] == [number]
    open_roads = listed(client.get_service_requests(service_code="SZ06", status="open"))
    assert number in [r["service_request_id"] for r in open_roads]
    assert {r["status"] for r in open_roads} == {"open"}
    closed = listed(client.get_service_requests(status="closed"))
    assert closed and {r["status"] for r in closed} == {"closed"}  # the demo's history


def test_the_public_list_carries_no_citizen_phone_or_name(root, created):
    text = requests.get(f"{root}/requests.json", timeout=60).text
    assert "13900001111" not in text and "王芳" not in text
    assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", text)  # the demo callers' phones


def test_the_live_server_refuses_bad_input_in_the_specs_format(root, api_key):
    gbk = f"api_key={api_key}&service_code=SZ06&lat=30.25&long=120.15&description=".encode()
    answer = requests.post(f"{root}/requests.json", data=gbk + "井盖丢了".encode("gbk"),
                           headers={"Content-Type": "application/x-www-form-urlencoded"},
                           timeout=30)
    assert answer.status_code == 400 and answer.json()[0]["code"] == 400
    big = requests.post(f"{root}/requests.xml",
                        data={"api_key": api_key, **POTHOLE, "description": "噪" * 40_000},
                        timeout=30)
    assert big.status_code == 413 and b"<errors><error><code>413</code>" in big.content
    forbidden = requests.post(f"{root}/requests.json", data={**POTHOLE, "api_key": "nope"},
                              timeout=30)
    assert forbidden.status_code == 403
