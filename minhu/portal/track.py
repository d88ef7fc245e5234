"""Tracking an order: number + phone → a one-time 6-digit code by SMS → a short grant in
this browser's session to read the order.

The page never says whether a number exists or which phone it belongs to: the answer to
a wrong pair looks like the answer to a right one (no code arrives). Codes expire, allow
a few wrong tries, and are stored only as a keyed hash.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F

from minhu.core import clock
from minhu.core.errors import ValidationFailed
from minhu.orders.models import WorkOrder

from . import settings as portal_settings
from .models import TrackCode
from .submit import normal_phone

SESSION_KEY = "minhu_portal_grants"
TRACKING_KEY = "minhu_portal_tracking"
FAILURES_KEY = "minhu_portal_code_failures"


def _hash(order_id: int, code: str) -> str:
    key = (settings.SECRET_KEY + ":minhu.portal.code").encode()
    return hmac.new(key, f"{order_id}:{code}".encode(), hashlib.sha256).hexdigest()


def find_order(number: str, phone: str) -> WorkOrder | None:
    """The top-level order with this number and citizen phone (sub-orders are internal)."""
    number = (number or "").strip().upper()[:40]
    phone = normal_phone(phone)
    if not number or not phone:
        return None
    order = WorkOrder.objects.filter(number=number, parent__isnull=True).first()
    if order is None or normal_phone(order.citizen_phone) != phone:
        return None
    return order


def issue_code(order: WorkOrder, *, remote_addr: str | None = None) -> TrackCode | None:
    """A new code for the order's phone; None while the last one is too fresh to resend."""
    from minhu.notices.outgoing import send_sms

    now = clock.now()
    last = TrackCode.objects.filter(order=order).order_by("-created_at").first()
    if last and (now - last.created_at).total_seconds() < portal_settings.code_resend_seconds():
        return None
    code = f"{secrets.randbelow(10**6):06d}"
    ttl = portal_settings.code_ttl_seconds()
    with transaction.atomic():
        # A new code retires the older ones.
        TrackCode.objects.filter(order=order, used_at__isnull=True).update(used_at=now)
        row = TrackCode.objects.create(order=order, code_hash=_hash(order.pk, code),
                                       created_at=now, expires_at=now + timedelta(seconds=ttl),
                                       remote_addr=remote_addr or None)
        send_sms(order.citizen_phone, "portal_otp", {"code": code, "minutes": ttl // 60},
                 key=f"otp:{row.pk}", order=order)
    return row


def verify(number: str, code: str) -> WorkOrder:
    """The order, if ``code`` is the live code sent for it; otherwise a clear refusal."""
    code = (code or "").strip()
    order = WorkOrder.objects.filter(number=(number or "").strip().upper()[:40],
                                     parent__isnull=True).first()
    row = None
    if order is not None:
        row = (TrackCode.objects.filter(order=order, used_at__isnull=True)
               .order_by("-created_at").first())
    if row is None:
        raise ValidationFailed("验证码不正确或已失效，请重新获取", code="bad_code")
    now = clock.now()
    if row.expires_at <= now:
        raise ValidationFailed("验证码已过期，请重新获取", code="code_expired")
    if row.attempts >= portal_settings.code_max_attempts():
        raise ValidationFailed("验证码错误次数过多，请重新获取", code="too_many_attempts")
    if not (len(code) == 6 and code.isdigit()
            and hmac.compare_digest(row.code_hash, _hash(order.pk, code))):
        TrackCode.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1)
        left = portal_settings.code_max_attempts() - row.attempts - 1
        if left <= 0:
            raise ValidationFailed("验证码错误次数过多，请重新获取", code="too_many_attempts")
        raise ValidationFailed(f"验证码不正确，还可以再试 {left} 次", code="bad_code")
    TrackCode.objects.filter(pk=row.pk).update(used_at=now)
    return order


def start(session, number: str) -> None:
    """This browser now waits for a code for ``number``: its own failure count restarts."""
    number = number.strip().upper()[:40]
    session[TRACKING_KEY] = number
    session[FAILURES_KEY] = {number: 0}


def verify_here(session, number: str, code: str) -> WorkOrder:
    """``verify`` with one answer for every failure, counted per browser as well as per
    code: a wrong code for a real order and any code for a made-up pair read the same,
    so the page never confirms that a number belongs to a phone."""
    failures = dict(session.get(FAILURES_KEY, {}))
    most = portal_settings.code_max_attempts()
    if failures.get(number, 0) >= most:
        raise ValidationFailed("验证码错误次数过多，请重新获取验证码", code="too_many_attempts")
    try:
        return verify(number, code)
    except ValidationFailed as exc:
        failures[number] = failures.get(number, 0) + 1
        session[FAILURES_KEY] = failures
        left = most - failures[number]
        if left <= 0 or exc.code == "too_many_attempts":
            raise ValidationFailed("验证码错误次数过多，请重新获取验证码",
                                   code="too_many_attempts") from None
        raise ValidationFailed(f"验证码不正确或已过期，还可以再试 {left} 次",
                               code=exc.code) from None


def grant(session, number: str) -> None:
    grants = dict(session.get(SESSION_KEY, {}))
    now = clock.now().timestamp()
    grants = {n: t for n, t in grants.items() if t > now}
    grants[number] = now + portal_settings.grant_seconds()
    session[SESSION_KEY] = grants


def granted(session, number: str) -> bool:
    until = session.get(SESSION_KEY, {}).get(number)
    return bool(until and until > clock.now().timestamp())
