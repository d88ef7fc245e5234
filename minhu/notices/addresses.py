"""Validate, normalise and mask the addresses citizen messages go to.

Bad addresses are the caller's input problem (a citizen typed a wrong number), so they
raise ``ValidationFailed`` with a stable code and a Chinese message, never a 500."""

import re
import unicodedata

from minhu.core.errors import ValidationFailed

MAX_PHONE_INPUT = 32
MAX_EMAIL = 254

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
# Pragmatic check only: the mail server has the last word.
_EMAIL = re.compile(r"^[^@\s<>\"'(),;:]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")


def normalize_phone(phone) -> str:
    """A mainland mobile number as 11 digits. Full-width digits, spaces, dashes and a
    +86 / 0086 prefix are accepted because people type them into forms."""
    if not isinstance(phone, str):
        raise ValidationFailed("手机号码须为文本（请使用 UTF-8 编码）", code="invalid_phone")
    raw = phone.strip()
    if not raw:
        raise ValidationFailed("请填写手机号码", code="missing_phone")
    if len(raw) > MAX_PHONE_INPUT:
        raise ValidationFailed("手机号码过长", code="invalid_phone")
    digits = re.sub(r"[\s\-()]", "", unicodedata.normalize("NFKC", raw))
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == 11 + len(prefix):
            digits = digits[len(prefix):]
            break
    if not _MOBILE.match(digits):
        raise ValidationFailed("手机号码格式不正确（须为 11 位大陆手机号）", code="invalid_phone")
    return digits


def normalize_email(address) -> str:
    if not isinstance(address, str):
        raise ValidationFailed("邮箱地址须为文本（请使用 UTF-8 编码）", code="invalid_email")
    value = address.strip()
    if not value:
        raise ValidationFailed("请填写邮箱地址", code="missing_email")
    if len(value) > MAX_EMAIL:
        raise ValidationFailed("邮箱地址过长", code="invalid_email")
    if not _EMAIL.match(value):
        raise ValidationFailed("邮箱地址格式不正确", code="invalid_email")
    local, domain = value.rsplit("@", 1)
    # Domains are case-insensitive; the local part is kept as typed (RFC 5321).
    return f"{local}@{domain.lower()}"


def normalize_address(address) -> tuple[str, str]:
    """(kind, normalised address) for a phone number or an e-mail address."""
    if isinstance(address, str) and "@" in address:
        return "email", normalize_email(address)
    return "sms", normalize_phone(address)


def mask_address(address: str) -> str:
    """For logs and lists: 138****5678, z***@example.com."""
    if "@" in address:
        local, _, domain = address.partition("@")
        return (local[:1] + "***@" + domain) if local else "***@" + domain
    value = address.strip()
    if len(value) >= 7:
        return value[:3] + "****" + value[-4:]
    return "*" * len(value)
