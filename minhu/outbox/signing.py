"""How a delivery goes over the wire: the JSON body, the headers and the signature.

Receivers verify ``X-Minhu-Signature`` = ``sha256=`` + hex HMAC-SHA256 of
``f"{X-Minhu-Timestamp}.{raw body}"`` with the endpoint's secret, and de-duplicate by
``X-Minhu-Delivery`` (a delivery may arrive twice when our side crashed after sending).
"""

import hashlib
import hmac
import json
import urllib.error
import urllib.request
from dataclasses import dataclass

USER_AGENT = "Minhu-Outbox/1"
MAX_ERROR_CHARS = 500


def encode_body(payload: dict) -> bytes:
    from django.core.serializers.json import DjangoJSONEncoder

    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"),
                      cls=DjangoJSONEncoder).encode("utf-8")


def signature(secret: str, timestamp: int, body: bytes) -> str:
    message = f"{timestamp}.".encode() + body
    return "sha256=" + hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def verify(secret: str, timestamp: str, body: bytes, header: str) -> bool:
    """What a receiver does (and what our tests do as the receiver)."""
    try:
        expected = signature(secret, int(timestamp), body)
    except (TypeError, ValueError):
        return False
    return hmac.compare_digest(expected, header or "")


def headers(delivery_id: int, event: str, timestamp: int, secret: str, body: bytes) -> dict:
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Minhu-Delivery": str(delivery_id),
        "X-Minhu-Event": event,
        "X-Minhu-Timestamp": str(timestamp),
        "X-Minhu-Signature": signature(secret, timestamp, body),
    }


@dataclass
class Outcome:
    ok: bool
    status: int | None = None
    error: str = ""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not a delivery: urllib would turn the POST into a GET."""

    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def post(url: str, body: bytes, header_map: dict, timeout: float) -> Outcome:
    request = urllib.request.Request(url, data=body, headers=header_map, method="POST")
    try:
        with _opener.open(request, timeout=timeout) as response:
            status = response.status
            text = response.read(MAX_ERROR_CHARS).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        status = exc.code
        try:
            text = exc.read(MAX_ERROR_CHARS).decode("utf-8", "replace")
        except Exception:  # a broken error body must not hide the status
            text = ""
        finally:
            exc.close()
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return Outcome(False, None, f"{type(exc).__name__}: {reason}"[:MAX_ERROR_CHARS])
    except Exception as exc:  # http.client protocol errors and the like
        return Outcome(False, None, f"{type(exc).__name__}: {exc}"[:MAX_ERROR_CHARS])
    if 200 <= status < 300:
        return Outcome(True, status)
    return Outcome(False, status, f"HTTP {status}: {text}"[:MAX_ERROR_CHARS])
