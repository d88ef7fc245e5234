"""How a request of the demo history reaches the pool, channel by channel, through each
channel's own entry point, so every channel's records match its orders:

* phone: an agent registers it; the call is kept as a ``CallRecord`` (answered), and each
  day also has abandoned and missed calls, so 接通率 moves between about 85 and 95 %;
* portal (web) and QR codes: the raw submission is stored (``intake.receive``) and
  registered as the portal's service account, external id ``portal:<nonce>``; a QR
  request names its building's code and goes to the community first
  (``qrcodes.routing.route_first_to_community``);
* grid patrol: ``patrol.actions.do_patrol_report`` by a worker of the place's grid
  (some solved on the spot);
* WeChat mini program, the department system, the merged hotline: ``partners.actions.submit``
  with the partner's own id (external id ``<partner code>:<id>``);
* province: ``exchange.inbound.handle_push`` with the province's number and deadline;
* Open311: the form body stored raw, registered as the Open311 client's account.

A few payloads are refused at the edge near the end (bad JSON, GBK, empty), as they are
in real life, so the 渠道接入 inspection list has something to show.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from minhu.core import clock
from minhu.core.errors import MinhuError
from minhu.orders.actions import Intake
from minhu.orders.states import Channel

# Province codes for our request types and urgency tiers (the seeded code table).
PROVINCE_TYPE = {"consult": "01", "help": "02", "complaint": "03", "report": "04",
                 "suggestion": "05", "praise": "06"}
PROVINCE_URGENCY = {"normal": "1", "pressing": "2", "urgent": "3", "complex": "1"}
UNMAPPED_CATEGORY = "9901"  # a province category the code table does not know
PARTNER_CHANNELS = (Channel.WECHAT, Channel.PARTNER, Channel.HOTLINE)


@dataclass
class Call:
    """One answered call of the day, kept until the day's records are written."""

    agent: object
    caller: str
    answered_at: datetime


class Arrivals:
    def __init__(self, channels, rng):
        self.channels = channels
        self.rng = rng
        from minhu.exchange.models import ProvinceOrder
        from minhu.partners.models import PartnerRequest
        from minhu.telephony.models import AgentExtension, CallRecord

        self.calls: list[Call] = []
        # Numbers go on from what the database holds, so another run never reuses one.
        self._call_seq = CallRecord.objects.count()
        self._their_seq = PartnerRequest.objects.count()
        self._province_seq = ProvinceOrder.objects.count()
        self._extension = {}

        for ext in AgentExtension.objects.all():
            self._extension.setdefault(ext.user_id, ext.extension)

    def _nonce(self) -> str:
        return f"{self.rng.getrandbits(64):016x}"

    # --- phone -----------------------------------------------------------------------

    def phone_call(self, agent, caller: str) -> None:
        self.calls.append(Call(agent=agent, caller=caller, answered_at=clock.now()))

    def write_calls(self, day, end: datetime, hour_weights) -> int:
        """The day's call records: the answered calls that became orders, and the calls
        nobody answered. Written in one insert at the end of the simulated day."""
        from minhu.telephony.models import CallRecord, Outcome, RecordSource

        rng = self.rng
        tz = end.tzinfo
        records = []
        for call in self.calls:
            wait = int(rng.lognormvariate(2.6, 0.6))  # about 15 s, sometimes a minute
            talk = int(rng.uniform(70, 420))
            records.append(self._record(call.caller, call.agent,
                                        call.answered_at - timedelta(seconds=wait),
                                        Outcome.ANSWERED, wait, talk))
        answered = len(self.calls)
        self.calls = []
        # A busy day answers fewer calls: the rate wanders around 90 %.
        rate = min(0.955, max(0.845, rng.gauss(0.905, 0.025)))
        lost = round(answered * (1 - rate) / rate) if answered else 0
        short = round(answered * rng.uniform(0.01, 0.04))
        agents = [c.agent for c in records if c.agent] or [None]
        for i in range(lost + short):
            hour = rng.choices(range(24), hour_weights)[0]
            entered = datetime.combine(day, datetime.min.time(), tzinfo=tz) + timedelta(
                hours=hour, seconds=rng.randint(0, 3599))
            if entered > end:
                continue
            if i >= lost:
                records.append(self._record(self._caller(), None, entered, Outcome.ABANDONED,
                                            rng.randint(1, 4), None))
            elif rng.random() < 0.8:
                records.append(self._record(self._caller(), None, entered, Outcome.ABANDONED,
                                            rng.randint(20, 200), None))
            else:  # rang at an agent's seat, nobody picked up
                records.append(self._record(self._caller(), rng.choice(agents), entered,
                                            Outcome.MISSED, rng.randint(20, 45), None))
        for r in records:
            r.source = RecordSource.EVENTS
        CallRecord.objects.bulk_create(records)
        return len(records)

    def _caller(self) -> str:
        return f"1{self.rng.choice('3589')}{self.rng.randint(0, 999_999_999):09d}"

    def _record(self, caller, agent, entered, outcome, wait, talk):
        from minhu.telephony.models import CallRecord, Outcome

        self._call_seq += 1
        answered_at = entered + timedelta(seconds=wait) if outcome == Outcome.ANSWERED else None
        ended = (answered_at + timedelta(seconds=talk)) if answered_at else \
            entered + timedelta(seconds=wait)
        return CallRecord(
            call_id=f"YZCTI{entered:%Y%m%d}{self._call_seq:07d}", caller=caller[:20],
            agent=agent, agent_ref=self._extension.get(getattr(agent, "pk", None),
                                                       getattr(agent, "username", "")),
            queue="12345", entered_at=entered, answered_at=answered_at, ended_at=ended,
            outcome=outcome, wait_seconds=wait, talk_seconds=talk, updated_at=ended)

    # --- portal, QR, Open311 ---------------------------------------------------------

    def portal(self, intake: Intake, *, qr_code: str = ""):
        from minhu.intake.actions import receive, register_from

        nonce = self._nonce()
        intake.external_id = f"portal:{nonce}"
        intake.extra = {"qr": qr_code} if qr_code else {}
        body = {"content": intake.content, "name": intake.citizen_name,
                "phone": intake.citizen_phone, "request_type": intake.request_type,
                "address": intake.address, "place_id": intake.place_id, "lat": None,
                "lng": None, "qr": qr_code, "form": nonce, "photos": []}
        raw = receive(intake.channel, body=json.dumps(body, ensure_ascii=False),
                      source=f"qr:{qr_code}" if qr_code else "portal",
                      external_id=intake.external_id, content_type="application/json",
                      remote_addr="127.0.0.1")
        order, _created = register_from(raw, self.channels.portal, intake)
        return order

    def open311(self, intake: Intake):
        from minhu.intake.actions import receive, register_from
        from minhu.open311.models import Submission

        account = self.channels.open311
        form = {"service_code": intake.category or "", "description": intake.content,
                "address_string": intake.address, "first_name": intake.citizen_name,
                "phone": intake.citizen_phone}
        body = urlencode(form)
        raw = receive(Channel.OPEN311, body=body, source=account.username,
                      content_type="application/x-www-form-urlencoded")
        token = secrets.token_urlsafe(16)
        fingerprint = hashlib.sha256(body.encode()).hexdigest()
        Submission.objects.create(token=token, raw=raw, client=None, fingerprint=fingerprint,
                                  idempotency_key="auto:" + token, created_at=clock.now())
        order, _created = register_from(raw, account, intake,
                                        idempotency_key="auto:" + token)
        return order

    # --- partners ----------------------------------------------------------------------

    def partner(self, intake: Intake, place, area: str):
        from minhu.intake.actions import receive
        from minhu.partners.actions import submit

        partner = self.channels.partners[intake.channel]
        self._their_seq += 1
        their_id = f"{partner.code.upper()}-{clock.now():%y%m%d}-{self._their_seq:06d}"
        body = json.dumps(self.partner_payload(intake, place, area, their_id),
                          ensure_ascii=False).encode()
        raw = receive(intake.channel, body=body, source=partner.code, external_id=their_id,
                      content_type="application/json", remote_addr="10.20.0.8")
        order, _created, _their = submit(partner, raw, body, None)
        return order

    @staticmethod
    def partner_payload(intake: Intake, place, area: str, their_id: str) -> dict:
        """What a partner system sends: no place ids of ours, but the area code and the
        coordinates of what the citizen pointed at."""
        payload = {"partner_id": their_id, "content": intake.content, "title": intake.title,
                   "request_type": intake.request_type, "urgency": intake.urgency,
                   "category": intake.category, "citizen_name": intake.citizen_name,
                   "citizen_phone": intake.citizen_phone,
                   "is_enterprise": intake.is_enterprise,
                   "enterprise_name": intake.enterprise_name, "address": intake.address}
        if place is not None:
            payload.update(lat=place.lat, lng=place.lng, community=area)
        return payload

    # --- province ------------------------------------------------------------------------

    def province(self, intake: Intake, deadline: datetime, place):
        from minhu.exchange.inbound import handle_push
        from minhu.exchange.simulator import build_push

        self._province_seq += 1
        number = f"SJ{clock.now():%Y%m%d}{self._province_seq:06d}"
        category = intake.category or ""
        if category and self.rng.random() < 0.05:
            category = UNMAPPED_CATEGORY  # the dispatcher categorises it
        push = build_push(
            number, deadline.isoformat(), intake.content, title=intake.title,
            type_code=PROVINCE_TYPE.get(intake.request_type, "02"), category_code=category,
            urgency_code=PROVINCE_URGENCY.get(intake.urgency, "1"),
            citizen_name=intake.citizen_name, phone=intake.citizen_phone,
            address=intake.address, lat=place.lat if place is not None else None,
            lng=place.lng if place is not None else None)
        order, _created, _po = handle_push(json.dumps(push, ensure_ascii=False).encode(),
                                           content_type="application/json",
                                           remote_addr="10.1.0.12")
        return order

    # --- refused at the edge -----------------------------------------------------------

    def refused_payloads(self) -> int:
        """Bodies the channels refuse (the sender gets the code; the raw row stays)."""
        from minhu.exchange.inbound import handle_push
        from minhu.intake.actions import receive
        from minhu.partners.actions import submit
        from minhu.partners.edge import EdgeError

        wechat = self.channels.partners[Channel.WECHAT]
        agency = self.channels.partners[Channel.PARTNER]
        bodies = [
            (wechat, b'{"partner_id": "WX-0001", "content": "\xe5\xb0\x8f\xe5\x8c\xba'),
            (wechat, "{\"content\": \"楼道灯坏了\", \"partner_id\": \"WX-0002\"}".encode("gbk")),
            (agency, b""),
            (agency, json.dumps({"partner_id": "ZJW-0003", "content": ""}).encode()),
        ]
        refused = 0
        for partner, body in bodies:
            raw = receive(partner.channel, body=body, source=partner.code,
                          content_type="application/json", remote_addr="10.20.0.8")
            try:
                submit(partner, raw, body, None)
            except (EdgeError, MinhuError):
                refused += 1
        for body in (b"{not json", "省级工单：内容".encode("gbk"), b"  "):
            try:
                handle_push(body, content_type="application/json", remote_addr="10.1.0.12")
            except MinhuError:
                refused += 1
        return refused
