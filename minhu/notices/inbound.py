"""Replies citizens send to our SMS number, as passed on by the gateway."""

import unicodedata

from minhu.core import clock

from .addresses import normalize_phone
from .models import InboundSms
from .optout import opt_out

MAX_TEXT = 500
# What carriers and citizens use to say "stop": TD (退订), T, 退订, 取消, N, STOP, 0000.
OPTOUT_WORDS = {"TD", "T", "退订", "取消", "取消订阅", "N", "STOP", "UNSUBSCRIBE", "0000"}


def is_optout_reply(text: str) -> bool:
    word = unicodedata.normalize("NFKC", text).strip().strip("。.!！ ").upper()
    return word in OPTOUT_WORDS


def handle_reply(sender: str, text: str) -> str:
    """Record the reply; an opt-out word opts the sender out. Returns what was done."""
    phone = normalize_phone(sender)
    action = "opted_out" if is_optout_reply(text) else "ignored"
    if action == "opted_out":
        opt_out(phone, "sms_reply")
    InboundSms.objects.create(sender=phone, text=text[:MAX_TEXT], received_at=clock.now(),
                              action=action)
    return action
