"""Open311 test helpers: a client with an api_key, the spec's JSON Schemas (read from the
shared data folder at test time; tests that need them skip when it is absent), and XML
parsing."""

import json
import os
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

ROOT = Path(__file__).resolve().parents[3]
SCHEMAS = Path(os.environ.get("MINHU_OPEN311_SCHEMAS",
                              ROOT.parent / "shared" / "data" / "open311-georeport-v2-schemas"))
BASE = "/open311/v2/"


class Schemas:
    """jsonschema validators for the spec's files (services.json, request.json …) and for
    the swagger definitions that have no file of their own (RequestResponse …)."""

    def __init__(self, folder: Path):
        from jsonschema import Draft7Validator
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT7

        self.files = {p.name: json.loads(p.read_text(encoding="utf-8"))
                      for p in folder.glob("*.json") if p.name != "swagger.json"}
        self.registry = Registry().with_resources(
            (name, Resource.from_contents(schema, default_specification=DRAFT7))
            for name, schema in self.files.items())
        self.swagger = json.loads((folder / "swagger.json").read_text(encoding="utf-8"))
        self._validator = Draft7Validator

    def validate(self, data, name: str) -> None:
        """``name``: a schema file (``requests.json``) or a swagger definition (``Request``)."""
        if name.endswith(".json"):
            schema = self.files[name]
        else:
            schema = {**self.swagger["definitions"][name],
                      "definitions": self.swagger["definitions"]}
        validator = self._validator(schema, registry=self.registry)
        errors = sorted(validator.iter_errors(data), key=lambda e: list(e.path))
        assert not errors, "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


@pytest.fixture(scope="session")
def schemas():
    if not (SCHEMAS / "request.json").exists():
        pytest.skip(f"Open311 schemas not found in {SCHEMAS}")
    return Schemas(SCHEMAS)


@pytest.fixture
def open311_key(city):
    """An api_key for the client "随手拍" (its own service account, scope open311)."""
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("open311-key", "随手拍", stdout=out)
    return out.getvalue().splitlines()[1].strip()


class Open311Client:
    def __init__(self, client, key: str):
        self.client = client
        self.key = key

    def get(self, path: str, **params):
        return self.client.get(BASE + path, params)

    def get_json(self, path: str, **params):
        response = self.get(path, **params)
        assert response.status_code == 200, response.content.decode()
        assert response["Content-Type"].startswith("application/json")
        return response.json()

    def get_xml(self, path: str, **params) -> ET.Element:
        response = self.get(path, **params)
        assert response.status_code == 200, response.content.decode()
        assert response["Content-Type"].startswith("text/xml")
        return ET.fromstring(response.content)

    def post(self, fmt: str = "json", *, key: str | None = None, headers=None, **fields):
        from urllib.parse import urlencode

        data = {"api_key": self.key if key is None else key, **fields}
        return self.client.post(f"{BASE}requests.{fmt}", urlencode(data),
                                content_type="application/x-www-form-urlencoded",
                                headers=headers or {})

    def post_raw(self, body: bytes, content_type="application/x-www-form-urlencoded"):
        return self.client.post(f"{BASE}requests.json", body, content_type=content_type)

    def create(self, **fields) -> str:
        """POST a request (a pothole-like 道路 problem by default); its order number."""
        defaults = {"service_code": "SZ06", "description": "人民路口人行道地砖松动，老人差点摔倒",
                    "lat": "30.2500", "long": "120.1500", "address_string": "人民路 88 号门口"}
        response = self.post(**{**defaults, **fields})
        assert response.status_code == 200, response.content.decode()
        return response.json()[0]["service_request_id"]


@pytest.fixture
def open311(client, open311_key) -> Open311Client:
    return Open311Client(client, open311_key)


def errors_of(response) -> list[dict]:
    assert response["Content-Type"].startswith(("application/json", "text/xml"))
    if response["Content-Type"].startswith("text/xml"):
        root = ET.fromstring(response.content)
        assert root.tag == "errors"
        return [{"code": int(e.findtext("code")), "description": e.findtext("description")}
                for e in root.findall("error")]
    return response.json()
