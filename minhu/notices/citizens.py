"""Messages to an order's citizen, triggered by what happens to the order.

Only the number, the answering unit and a link ever go out: an order's content never
travels by SMS, and a confidential order does not even name the unit."""

import logging

from minhu.core.errors import ValidationFailed

from .addresses import mask_address
from .links import rate_url
from .outgoing import send_sms

log = logging.getLogger(__name__)

UNNAMED_UNIT = "承办单位"


def sms_citizen(order, template: str, context: dict, *, key: str):
    """SMS the order's citizen unless anonymous or without a mobile number."""
    phone = (order.citizen_phone or "").strip()
    if order.is_anonymous or not phone:
        return None
    try:
        return send_sms(phone, template, context, key=key, order=order)
    except ValidationFailed as exc:
        # A landline or a typo in the order: nobody to text, the callback still calls.
        log.info("no %s SMS for order %s to %s: %s", template, order.number,
                 mask_address(phone), exc.code)
        return None
    except ValueError:
        # A template missing or misconfigured must not fail the order's action, which has
        # committed already; the log tells the operator what to fix.
        log.exception("cannot send %s SMS for order %s", template, order.number)
        return None


def on_event_committed(sender, order, event, **kwargs):
    """The lead unit answered: invite the citizen to rate the outcome."""
    if event.action != "reply" or event.to_state != "replied":
        return
    unit = UNNAMED_UNIT if order.is_confidential else getattr(order.reply_unit, "name", "")
    sms_citizen(order, "order_replied",
                {"number": order.number, "unit": unit or UNNAMED_UNIT,
                 "rate_url": rate_url(order.number)},
                # One invitation per reply: a reopened order answered again asks again.
                key=f"order_replied:{order.pk}:{event.seq}")
