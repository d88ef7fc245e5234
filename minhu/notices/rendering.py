"""Fill a template's ``{placeholder}`` fields from a context dict.

Deliberately not Django's template language nor ``str.format``: templates are edited in
the admin, and a plain name lookup cannot reach attributes, files or tags. Literal braces
are written ``{{`` and ``}}``."""

import re

from minhu.core.errors import ValidationFailed

PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}")
MAX_VALUE_CHARS = 300


def placeholders(body: str) -> set[str]:
    return {m.group(1) for m in PLACEHOLDER.finditer(body) if m.group(1)}


def check_body(body: str) -> None:
    """Stray single braces are almost always a typo in the admin; refuse them early."""
    rest = PLACEHOLDER.sub("", body)
    if "{" in rest or "}" in rest:
        raise ValueError("花括号须成对出现：占位符写作 {name}，字面花括号写作 {{ 或 }}")


def _value(name: str, value) -> str:
    if isinstance(value, bytes | bytearray):
        raise ValidationFailed(f"消息字段 {name} 须为文本（请使用 UTF-8 编码）",
                               code="invalid_message_context")
    if value is None:
        return ""
    if not isinstance(value, str | int | float):
        # Objects could render surprising text (or PII) through __str__.
        value = str(value)
    text = str(value)
    # Control characters could break the gateway's framing or forge extra lines.
    text = "".join(ch for ch in text if ch in "\n" or ch.isprintable())
    if len(text) > MAX_VALUE_CHARS:
        raise ValidationFailed(f"消息字段 {name} 过长（最多 {MAX_VALUE_CHARS} 字）",
                               code="message_too_long")
    return text


def render(body: str, context: dict, *, code: str = "") -> str:
    if not isinstance(context, dict):
        raise ValueError(f"message context for {code!r} must be a dict")
    missing = sorted(placeholders(body) - set(context))
    if missing:
        # The caller forgot a field the (possibly admin-edited) template uses.
        raise ValueError(f"message template {code!r} needs context {', '.join(missing)}")

    def fill(match):
        if match.group(0) == "{{":
            return "{"
        if match.group(0) == "}}":
            return "}"
        name = match.group(1)
        return _value(name, context[name])

    return PLACEHOLDER.sub(fill, body)
