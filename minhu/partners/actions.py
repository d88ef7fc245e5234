"""Partners and their requests. ``submit`` is the whole create path after the raw body
was stored: parse, validate, find a replay, register, remember the partner's id."""

import re
import secrets

from django.conf import settings
from django.db import transaction

from minhu.accounts.models import ApiToken, Scope
from minhu.accounts.roles import Role
from minhu.core import clock
from minhu.core.errors import MinhuError, ValidationFailed
from minhu.intake.actions import register_from, reject, service_account
from minhu.intake.models import RawIntake
from minhu.orders.models import WorkOrder
from minhu.outbox.models import Endpoint, EndpointKind

from . import edge
from .edge import EdgeError
from .models import PARTNER_CHANNELS, Partner, PartnerRequest

DEFAULT_MAX_BODY = 64 * 1024


def max_body_bytes() -> int:
    return int(getattr(settings, "MINHU_PARTNER_MAX_BODY_BYTES", DEFAULT_MAX_BODY))


# --- Managing partners ------------------------------------------------------------------


@transaction.atomic
def add_partner(code: str, name: str, channel: str, webhook: str = "") -> tuple[Partner, str]:
    """A partner with its service account; returns (partner, webhook secret or "")."""
    code = (code or "").strip().lower()
    if not re.fullmatch(r"[a-z0-9][a-z0-9\-]{1,29}", code):
        raise ValidationFailed("合作方代码须为 2–30 位小写字母、数字或连字符", code="bad_code")
    if channel not in [c.value for c in PARTNER_CHANNELS]:
        raise ValidationFailed(
            "渠道须为 wechat（小程序）、hotline（并入热线）或 partner（部门系统）",
            code="bad_channel")
    name = (name or "").strip()[:100]
    if not name:
        raise ValidationFailed("请填写合作方名称", code="missing_name")
    if Partner.objects.filter(code=code).exists():
        raise ValidationFailed(f"合作方代码 {code} 已存在", code="duplicate_code")
    account = service_account(f"partner-{code}", name, roles=(Role.AGENT,))
    partner = Partner.objects.create(code=code, name=name, channel=channel, account=account,
                                     created_at=clock.now())
    secret = set_webhook(partner, webhook) if webhook else ""
    return partner, secret


@transaction.atomic
def set_webhook(partner: Partner, url: str) -> str:
    """Point the partner's status webhook at ``url``; returns the signing secret (a new one
    when the endpoint is created, the current one otherwise)."""
    url = (url or "").strip()
    if not url.startswith(("http://", "https://")) or len(url) > 500:
        raise ValidationFailed("回调地址须为 http:// 或 https:// 开头的网址", code="bad_url")
    endpoint = partner.endpoint
    if endpoint is None:
        endpoint = Endpoint.objects.create(
            code=f"partner-{partner.code}", name=f"{partner.name} 状态回调",
            kind=EndpointKind.WEBHOOK, url=url, secret=secrets.token_urlsafe(32))
        partner.endpoint = endpoint
        partner.save(update_fields=["endpoint"])
    else:
        endpoint.url = url
        endpoint.is_active = True
        endpoint.save(update_fields=["url", "is_active"])
    return endpoint.secret


def issue_key(partner: Partner, name: str = "") -> tuple[ApiToken, str]:
    """A new key for the partner's account, carrying the scopes the partner is allowed."""
    if not partner.is_active:
        raise ValidationFailed("合作方已停用，不能签发密钥", code="partner_inactive")
    scopes = [s for s in (partner.scopes or []) if s in Scope.values] or [Scope.INTAKE]
    if Scope.API in scopes:
        # A partner's key must never drive the staff API (it would act as an agent).
        raise ValidationFailed("合作方密钥不能包含工作人员 API 权限", code="bad_scope")
    return ApiToken.objects.issue(partner.account, (name or f"{partner.name} 接入")[:100],
                                  scopes)


def partner_of(user) -> Partner | None:
    if user is None or not getattr(user, "pk", None):
        return None
    return Partner.objects.select_related("endpoint").filter(account=user,
                                                             is_active=True).first()


# --- Requests ----------------------------------------------------------------------------


class Conflict(MinhuError):
    status = 409
    code = "partner_id_conflict"


CONFLICT_MESSAGE = ("该合作方编号 {id} 已用于内容不同的另一条诉求（工单 {number}）；"
                    "同一编号重复提交须内容完全一致，新诉求请使用新编号")


def submit(partner: Partner, raw: RawIntake, body: bytes, header_id: str | None,
           *, too_big: bool = False) -> tuple[WorkOrder, bool, str]:
    """Turn a stored raw body into an order (or the order it already became); returns
    (order, created, the partner's id). Refusals are written on the raw row and raised
    (``EdgeError`` or ``MinhuError``)."""
    try:
        if too_big:
            raise edge.too_large(max_body_bytes())
        payload = edge.validate(edge.parse(body, max_body_bytes()))
        their_id = edge.their_id_of(header_id, payload.partner_id)
    except EdgeError as exc:
        reject(raw, exc.code, exc.message)
        raise
    if raw.external_id != their_id:
        RawIntake.objects.filter(pk=raw.pk).update(external_id=their_id)
    fingerprint = payload.fingerprint()
    known = known_request(partner, their_id)
    if known is not None and known.fingerprint != fingerprint:
        _conflict(raw, their_id, known.order)
    intake = payload.intake(partner.channel, partner.external_id(their_id))
    try:
        # One transaction for the order and the partner's id: a concurrent twin waits on
        # the external id, then finds both committed and compares the content.
        with transaction.atomic():
            order, created = register_from(raw, partner.account, intake)
            if created:
                PartnerRequest.objects.create(partner=partner, their_id=their_id, order=order,
                                              fingerprint=fingerprint, created_at=clock.now())
            else:
                known = known_request(partner, their_id)
                if known is None:
                    PartnerRequest.objects.create(partner=partner, their_id=their_id,
                                                  order=order, fingerprint=fingerprint,
                                                  created_at=clock.now())
    except MinhuError as exc:
        reject(raw, exc.code, exc.message)  # the rollback took register_from's own note
        raise
    if not created and known is not None and known.fingerprint != fingerprint:
        _conflict(raw, their_id, order)
    return order, created, their_id


def known_request(partner: Partner, their_id: str) -> PartnerRequest | None:
    """The request this partner already filed under ``their_id`` (a replay), if any."""
    return PartnerRequest.objects.select_related("order").filter(
        partner=partner, their_id=their_id).first()


def _conflict(raw: RawIntake, their_id: str, order: WorkOrder):
    exc = Conflict(CONFLICT_MESSAGE.format(id=their_id, number=order.number),
                   partner_id=their_id, number=order.number)
    reject(raw, exc.code, exc.message)
    raise exc
