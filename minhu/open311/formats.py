"""The two answer formats of GeoReport v2 (JSON and XML), its error list, and W3C times.

Every answer is built as plain Python data (dicts, lists, strings, numbers, booleans,
None) and rendered here, so JSON and XML always carry the same content. XML element
names follow the spec: a list is a wrapper element holding one child per item
(``<services><service>…``); ``None`` is an empty element.
"""

import json
import re
from datetime import datetime
from xml.etree import ElementTree as ET

from django.http import HttpResponse
from django.utils import timezone

FORMATS = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}

# Characters XML 1.0 cannot carry at all (a document holding one is not well-formed).
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


class Open311Error(Exception):
    """An answer in the spec's error format: ``[{"code": 400, "description": "…"}]``."""

    def __init__(self, status: int, description: str, code: str = ""):
        super().__init__(description)
        self.status = status
        self.description = description
        self.code = code  # our stable code, kept on the raw intake row


def w3c(value: datetime | None) -> str | None:
    """2025-09-30T10:00:00+08:00: the city's time zone, whole seconds."""
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


def parse_w3c(text: str, name: str) -> datetime:
    """A W3C / ISO 8601 date or date-time; one without an offset is city time."""
    value = (text or "").strip()
    try:
        if len(value) > 40:
            raise ValueError
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise Open311Error(
            400, f"{name} 不是有效的 W3C 时间格式（例如 2025-09-30T10:00:00+08:00）",
            "bad_datetime") from None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def render(data, fmt: str, *, root: str, item: str = "", status: int = 200) -> HttpResponse:
    """``data`` as JSON, or as XML under ``root`` (a list: one ``item`` element each)."""
    if fmt == "xml":
        body = _xml(data, root, item)
    else:
        body = json.dumps(data, ensure_ascii=False).encode("utf-8", "backslashreplace")
    return HttpResponse(body, status=status, content_type=FORMATS.get(fmt, FORMATS["json"]))


def error(status: int, description: str, fmt: str = "json") -> HttpResponse:
    data = [{"code": status, "description": description}]
    return render(data, fmt if fmt in FORMATS else "json", root="errors", item="error",
                  status=status)


# --- XML -----------------------------------------------------------------------------

# The element name of one item of a list, by the list's own element name.
ITEM_NAMES = {
    "services": "service", "attributes": "attribute", "values": "value",
    "service_requests": "request", "endpoints": "endpoint", "formats": "format",
    "errors": "error",
}


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return _XML_ILLEGAL.sub("", str(value))


def _fill(element: ET.Element, value) -> None:
    if value is None:
        return
    if isinstance(value, dict):
        for key, sub in value.items():
            _fill(ET.SubElement(element, key), sub)
    elif isinstance(value, list):
        name = ITEM_NAMES.get(element.tag, "item")
        for sub in value:
            _fill(ET.SubElement(element, name), sub)
    else:
        element.text = _text(value)


def _xml(data, root: str, item: str) -> bytes:
    element = ET.Element(root)
    if isinstance(data, list):
        for sub in data:
            _fill(ET.SubElement(element, item or ITEM_NAMES.get(root, "item")), sub)
    else:
        _fill(element, data)
    return ET.tostring(element, encoding="utf-8", xml_declaration=True)
