"""A quiet challenge against scripted floods, with no puzzle for people to solve.

Each form carries a signed token holding a random nonce and the time it was served. A
submission is accepted only if the token is ours, at least a few seconds old (nobody
types a complaint in under three seconds, a script posting in a loop does) and not older
than two hours, and the hidden honeypot field is empty (people do not see it, form-filling
robots fill every field). The nonce becomes the order's external id, so a double tap or a
replayed form returns the same order instead of a second one.

Why not an arithmetic question or a picture CAPTCHA: many who use 12345 are elderly or
visually impaired; a question any script solves in one line adds friction for them and
no protection. Rate limits per IP and per phone (limits.py) bound what a patient robot can
do with fresh tokens.
"""

import secrets

from django.core import signing

from minhu.core import clock
from minhu.core.errors import ValidationFailed

from . import settings as portal_settings

SALT = "minhu.portal.form"
HONEYPOT = "website"


def new_token() -> str:
    return signing.dumps({"n": secrets.token_hex(12), "t": clock.now().timestamp()},
                         salt=SALT)


def check(token: str, honeypot: str) -> str:
    """The nonce of a valid token, or a refusal."""
    if honeypot:
        raise ValidationFailed("提交未通过校验，请刷新页面后重试", code="bot_suspected")
    try:
        data = signing.loads(token or "", salt=SALT)
        nonce, served = str(data["n"]), float(data["t"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise ValidationFailed("页面已失效，请刷新后重新提交", code="bad_form_token") from None
    age = clock.now().timestamp() - served
    if age < portal_settings.min_fill_seconds():
        raise ValidationFailed("提交过快，请确认内容后再提交", code="too_fast")
    if age > portal_settings.form_max_age():
        raise ValidationFailed("页面停留时间过长已失效，请重新提交（您填写的内容已保留）",
                               code="form_expired")
    return nonce
