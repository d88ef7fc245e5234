"""The partner's status webhook: every state change of an order it filed, in order.

Registered with the outbox in ``PartnersConfig.ready``; runs inside the action's
transaction, so it only reads and returns what to send."""

from minhu.orders.models import ExternalRef
from minhu.orders.states import State
from minhu.outbox.actions import follow

from .models import PARTNER_CHANNELS, Partner
from .views_api import STAGES, city, reply_of

CHANNELS = frozenset(c.value for c in PARTNER_CHANNELS)


def partner_updates(order, event):
    # Cheap checks first: this runs for every timeline event of every order.
    if order.channel not in CHANNELS or not order.registered_by_id:
        return ()
    if event.from_state == event.to_state:
        return ()  # urgings, notes, co-handler replies: not a change the partner sees
    partner = Partner.objects.select_related("endpoint").filter(
        account_id=order.registered_by_id, is_active=True, endpoint__is_active=True).first()
    if partner is None:
        return ()
    prefix = f"{partner.code}:"
    ref = ExternalRef.objects.filter(order_id=order.pk, channel=order.channel,
                                     external_id__startswith=prefix).first()
    state = event.to_state or order.state
    payload = {
        "number": order.number,
        "partner_id": ref.external_id[len(prefix):] if ref else None,
        "seq": event.seq,
        "event": event.action,
        "state": state,
        "state_label": State.source_label_of(state),
        "stage": STAGES.get(state, "processing"),
        "at": city(event.at).isoformat(),
    }
    reply = reply_of(order)
    if reply is not None:
        payload["reply"] = dict(reply, at=reply["at"].isoformat() if reply["at"] else None)
    return [(partner.endpoint, payload)]


def connect() -> None:
    follow("partners", partner_updates)
