"""Small presentation helpers: local times, countdowns, durations, state colours."""

from datetime import timedelta

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from minhu.core import clock
from minhu.orders.states import State
from minhu.orders.transitions import label as action_label

register = template.Library()

STATE_TONE = {
    State.REGISTERED: "info", State.DISPATCHED: "warn", State.HANDLING: "work",
    State.RETURN_REVIEW: "alert", State.REPLIED: "info", State.DISSATISFIED_REVIEW: "alert",
    State.CLOSED: "done", State.WITHDRAWN: "muted", State.MERGED: "muted",
}


def span_text(delta: timedelta) -> str:
    seconds = int(abs(delta.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        if hours:
            return _("%(days)s天%(hours)s小时") % {"days": days, "hours": hours}
        return _("%(days)s天") % {"days": days}
    if hours:
        if minutes:
            return _("%(hours)s小时%(minutes)s分") % {"hours": hours, "minutes": minutes}
        return _("%(hours)s小时") % {"hours": hours}
    return _("%(minutes)s分钟") % {"minutes": max(minutes, 1)}


@register.filter
def local(dt, fmt="%Y-%m-%d %H:%M"):
    return timezone.localtime(dt).strftime(fmt) if dt else "—"


@register.filter
def state_tone(state):
    return STATE_TONE.get(state, "muted")


@register.filter
def state_label(state):
    return State.label_of(state) if state else ""


@register.filter
def action_name(action):
    """The action's label (marked for translation where the transition table names it)."""
    return _(action_label(action)) if action else ""


@register.simple_tag
def countdown(due, *, overdue=False, yellow=False):
    """"剩余 2天3小时" / "超期 5小时" with a tone for the badge."""
    if not due:
        return {"text": _("未计时"), "tone": "muted"}
    left = due - clock.now()
    if left.total_seconds() <= 0:
        return {"text": _("超期 %(span)s") % {"span": span_text(left)}, "tone": "red"}
    return {"text": _("剩余 %(span)s") % {"span": span_text(left)},
            "tone": "yellow" if yellow else "green"}


@register.filter
def between(later, earlier):
    if not later or not earlier:
        return ""
    return span_text(later - earlier)


@register.simple_tag
def op_fields(name):
    from minhu.orders.operations import OPERATIONS

    from ..forms import describe

    return describe(OPERATIONS[name].schema)


@register.filter
def op_summary(name):
    from minhu.orders.operations import OPERATIONS

    op = OPERATIONS.get(name)
    return _(op.summary) if op else name
