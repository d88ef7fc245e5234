"""The demo city's intake channels, set up so that every channel page has something to
show and a person running ``make run`` can try each channel.

``build_channels(geo, since=…)`` is idempotent (running it again creates nothing new):

* the reference data a channel needs and ``minhu demo --reset`` wipes with the tables
  (message templates, the province's code table), seeded again;
* partners of the partner API, each with its service account (no keys: keys are issued
  with ``minhu partner issue-key``, printed once, never stored in clear);
* an Open311 client account (its key: ``minhu open311-key``);
* QR codes for every building and compound of the named communities (``FIXED_COMMUNITIES``);
* the agents' CTI extensions, so a call event naming an extension pops that agent.

``configure_province()`` runs after the history: the province endpoint points at the local
simulator but stays paused unless ``MINHU_DEMO_PROVINCE_URL`` is set, so replayed history
does not queue thousands of updates and nothing piles up failing.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction

from minhu.accounts.models import User
from minhu.catalog.models import Category
from minhu.core import clock
from minhu.orders.states import Channel
from minhu.org.models import Place

from .geography import FIXED_COMMUNITIES, Geography


@dataclass(frozen=True)
class PartnerSpec:
    code: str
    name: str
    channel: str


PARTNERS = (
    PartnerSpec("yz-wxapp", "云州12345微信小程序", Channel.WECHAT),
    PartnerSpec("zjw-system", "市住建委业务系统", Channel.PARTNER),
    PartnerSpec("yz-12319", "12319城建服务热线（已并入12345）", Channel.HOTLINE),
)
OPEN311_CLIENT = "Suishoupai 随手拍"
AGENT_EXTENSIONS = {"8001": "agent1", "8002": "agent2", "8003": "agent3"}
PROVINCE_URL = "http://127.0.0.1:8790/updates"
PROVINCE_SECRET = "yunzhou-demo-province-secret"  # a demo value, shared with the simulator


@dataclass
class Channels:
    """Handles on what ``build_channels`` made, for the history."""

    partners: dict[str, object] = field(default_factory=dict)  # channel -> Partner
    open311: object = None  # the Open311 client's service account
    portal: object = None
    qr_codes: dict[int, str] = field(default_factory=dict)  # place id -> code


def _open311_account():
    # The account `minhu open311-key` uses for this client, so a key issued later
    # belongs to the same account the demo history registered with.
    command = importlib.import_module("minhu.open311.management.commands.open311-key")
    return command.account_for(OPEN311_CLIENT)


def _seed_reference_data() -> None:
    """What data migrations seeded and a flush (``demo --reset``) emptied."""
    from minhu.exchange.models import CodeKind, CodeMapping
    from minhu.notices.models import MessageTemplate
    from minhu.notices.seeds import seed_templates

    seed_templates(MessageTemplate)
    seeded = importlib.import_module("minhu.exchange.migrations.0002_seed_code_mappings")
    for kind, code, name, ours in seeded.SEED:
        CodeMapping.objects.get_or_create(kind=kind, province_code=code,
                                          defaults={"province_name": name, "our_code": ours})
    # The demo province classifies with the national codes the city also uses: every
    # second-level category maps onto itself (the seeded numeric codes stay as well).
    mapped = set(CodeMapping.objects.filter(kind=CodeKind.CATEGORY)
                 .values_list("province_code", flat=True))
    CodeMapping.objects.bulk_create([
        CodeMapping(kind=CodeKind.CATEGORY, province_code=c.code, province_name=c.name,
                    our_code=c.code)
        for c in Category.objects.filter(parent__isnull=False).order_by("code")
        if c.code not in mapped])


def showcase_places(geo: Geography) -> list[Place]:
    """Buildings and compounds of the named communities, in print order."""
    communities = {geo.unit(code).pk for code in FIXED_COMMUNITIES}
    return [p for p in (*geo.compounds, *geo.buildings) if p.community_id in communities]


@transaction.atomic
def build_channels(geo: Geography, *, since: datetime | None = None) -> Channels:
    """Set up every channel (idempotent). ``since``: when the QR codes were printed."""
    from minhu.partners.actions import add_partner
    from minhu.partners.models import Partner
    from minhu.portal.submit import portal_account
    from minhu.qrcodes.models import codes_for
    from minhu.telephony.models import AgentExtension

    _seed_reference_data()
    channels = Channels(portal=portal_account(), open311=_open311_account())
    with clock.pinned(since or clock.now()):
        for spec in PARTNERS:
            partner = Partner.objects.filter(code=spec.code).first()
            if partner is None:
                partner, _secret = add_partner(spec.code, spec.name, spec.channel)
            channels.partners[spec.channel] = partner
        channels.qr_codes = codes_for(showcase_places(geo))
    users = {u.username: u for u in User.objects.filter(username__in=AGENT_EXTENSIONS.values())}
    for extension, username in AGENT_EXTENSIONS.items():
        if username in users:
            AgentExtension.objects.get_or_create(extension=extension,
                                                 defaults={"user": users[username]})
    return channels


def province_settings() -> tuple[str, str, bool]:
    """(url, secret, active): active only when the demo is told where the province is."""
    url = os.environ.get("MINHU_DEMO_PROVINCE_URL", "").strip()
    secret = os.environ.get("MINHU_DEMO_PROVINCE_SECRET", "").strip() or PROVINCE_SECRET
    return (url or PROVINCE_URL), secret, bool(url)


def configure_province():
    """Point the province endpoint at the simulator; paused unless the URL was given."""
    from minhu.exchange.outbound import configure

    url, secret, active = province_settings()
    return configure(url, secret, active=active)
