"""Call events from the CTI: store each (call, event) once, keep the call's record current,
and find the call that should pop an agent's console.

    event, created = record_event(call_id=..., event="ringing", at=..., caller=..., agent=...)
    call = current_call(agent)     # the call ringing (or just finished) at this agent
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction

from minhu.accounts.models import User
from minhu.accounts.roles import Role
from minhu.core import clock
from minhu.orders.models import ExternalRef
from minhu.orders.states import Channel

from .models import AgentExtension, CallEvent, CallRecord, EventKind, Outcome, RecordSource


def pop_window() -> timedelta:
    """How long after it rang a call stays on the console (after-call registration)."""
    return timedelta(minutes=int(getattr(settings, "MINHU_CTI_POP_MINUTES", 30)))


def resolve_agent(ref: str) -> User | None:
    """The agent the CTI names by extension or by username (extensions first: they are
    what the switch knows)."""
    ref = (ref or "").strip()
    if not ref:
        return None
    ext = AgentExtension.objects.select_related("user").filter(extension=ref).first()
    if ext is not None:
        return ext.user if ext.user.is_active else None
    user = User.objects.filter(username=ref, is_active=True).first()
    if user is not None and user.has_role(Role.AGENT):
        return user
    return None


def record_event(*, call_id: str, event: str, at: datetime, caller: str = "", agent: str = "",
                 queue: str = "", payload: dict | None = None) -> tuple[CallEvent, bool]:
    """Store the event unless this call already had it; returns (event, created)."""
    existing = CallEvent.objects.filter(call_id=call_id, event=event).first()
    if existing is not None:
        return existing, False
    user = resolve_agent(agent)
    try:
        with transaction.atomic():
            row = CallEvent.objects.create(
                call_id=call_id, event=event, at=at, caller=caller, agent_ref=agent[:64],
                agent=user, queue=queue[:40], received_at=clock.now(), payload=payload or {})
    except IntegrityError:  # the same event delivered twice at once: the first one won
        return CallEvent.objects.get(call_id=call_id, event=event), False
    # The event is kept whatever happens to the record; the next event refreshes it again.
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                refresh_record(call_id)
            break
        except IntegrityError:  # another event of this call created the record just now
            if attempt == 2:
                raise
    return row, True


def refresh_record(call_id: str) -> CallRecord | None:
    """Bring the call's record in line with its events (in any arrival order). A record
    imported from the CTI is its final word and is left alone. Run inside a transaction."""
    record = CallRecord.objects.select_for_update().filter(call_id=call_id).first()
    if record is not None and record.source == RecordSource.IMPORT:
        return record
    events = {e.event: e for e in CallEvent.objects.filter(call_id=call_id)}
    if not events:
        return record
    first = min(events.values(), key=lambda e: e.at)
    answered = events.get(EventKind.ANSWERED)
    ended = events.get(EventKind.ENDED)
    abandoned = events.get(EventKind.ABANDONED)
    ringing = events.get(EventKind.RINGING)
    who = answered or ringing or first
    if answered:
        outcome = Outcome.ANSWERED
    elif abandoned:
        outcome = Outcome.ABANDONED
    elif ended:
        outcome = Outcome.MISSED
    else:
        outcome = Outcome.IN_PROGRESS
    stop = answered or abandoned or (ended if outcome == Outcome.MISSED else None)
    values = dict(
        caller=next((e.caller for e in events.values() if e.caller), ""),
        agent=who.agent, agent_ref=who.agent_ref,
        queue=next((e.queue for e in events.values() if e.queue), ""),
        entered_at=first.at, answered_at=answered.at if answered else None,
        ended_at=(ended or abandoned).at if (ended or abandoned) else None,
        outcome=outcome,
        wait_seconds=_seconds(first.at, stop.at) if stop else None,
        talk_seconds=_seconds(answered.at, ended.at) if answered and ended else None,
        source=RecordSource.EVENTS, updated_at=clock.now(),
    )
    if record is None:
        return CallRecord.objects.create(call_id=call_id, **values)
    for name, value in values.items():
        setattr(record, name, value)
    record.save()
    return record


def _seconds(start: datetime, stop: datetime) -> int:
    return max(0, int((stop - start).total_seconds()))


# --- The console pop -------------------------------------------------------------------


@dataclass
class CurrentCall:
    call_id: str
    caller: str
    rang_at: datetime
    status: str  # the latest event: ringing, answered, ended, abandoned
    order_number: str = ""  # the order registered from this call, if any

    @property
    def live(self) -> bool:
        return self.status in (EventKind.RINGING, EventKind.ANSWERED)

    @property
    def key(self) -> str:
        """Changes whenever the panel should be drawn again."""
        return f"{self.call_id}|{self.status}|{self.order_number}"

    @property
    def status_label(self) -> str:
        return EventKind.label_of(self.status)


def current_call(agent, *, dismissed=()) -> CurrentCall | None:
    """The latest call that rang (or was answered) at this agent within the pop window."""
    since = clock.now() - pop_window()
    latest = (CallEvent.objects.filter(agent=agent, at__gte=since,
                                       event__in=(EventKind.RINGING, EventKind.ANSWERED))
              .exclude(call_id__in=list(dismissed)).order_by("-at", "-pk").first())
    if latest is None:
        return None
    events = list(CallEvent.objects.filter(call_id=latest.call_id).order_by("at", "pk"))
    final = {EventKind.ENDED, EventKind.ABANDONED}
    status = next((e.event for e in events if e.event in final), events[-1].event)
    caller = next((e.caller for e in events if e.caller), "")
    ref = (ExternalRef.objects.filter(channel=Channel.PHONE, external_id=latest.call_id)
           .select_related("order").first())
    return CurrentCall(call_id=latest.call_id, caller=caller, rang_at=events[0].at,
                       status=status, order_number=ref.order.number if ref else "")


def call_for_registration(agent, call_id: str) -> CallEvent | None:
    """The call an agent may link a new order to: one that rang or was answered at them."""
    call_id = (call_id or "").strip()[:64]
    if not call_id:
        return None
    return (CallEvent.objects.filter(call_id=call_id, agent=agent,
                                     event__in=(EventKind.RINGING, EventKind.ANSWERED))
            .order_by("at").first())


def caller_of(call_id: str) -> str:
    return (CallEvent.objects.filter(call_id=call_id).exclude(caller="")
            .values_list("caller", flat=True).first() or "")
