"""Small presentation helpers: local times, countdowns, durations, state colours."""

from datetime import timedelta

from django import template
from django.utils import timezone

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
        return f"{days}天{hours}小时" if hours else f"{days}天"
    if hours:
        return f"{hours}小时{minutes}分" if minutes else f"{hours}小时"
    return f"{max(minutes, 1)}分钟"


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
    return action_label(action)


@register.simple_tag
def countdown(due, *, overdue=False, yellow=False):
    """"剩余 2天3小时" / "超期 5小时" with a tone for the badge."""
    if not due:
        return {"text": "未计时", "tone": "muted"}
    left = due - clock.now()
    if left.total_seconds() <= 0:
        return {"text": f"超期 {span_text(left)}", "tone": "red"}
    return {"text": f"剩余 {span_text(left)}", "tone": "yellow" if yellow else "green"}


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
    return op.summary if op else name
