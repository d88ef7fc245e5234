"""接通率 (answer rate) of the call centre, for any period and any agent.

Definition (docs/telephony.md says the same):

    接通率 = answered / offered
    offered = answered + abandoned + missed − short abandons

* A call belongs to the period in which it entered the queue (``entered_at``); calls still
  in progress are not counted yet.
* answered: an agent picked up. abandoned: the caller hung up before anyone answered.
  missed: nobody answered and the caller did not hang up first (ring-no-answer, overflow,
  dropped by the switch).
* Short abandons — callers who hung up within ``MINHU_CTI_SHORT_ABANDON_SECONDS`` (default
  5 s) of entering — are excluded from offered: misdials and callers who heard the menu
  and left were never really offered to an agent. A short abandon with no wait time known
  is counted as an ordinary abandon (we cannot show it was short).
* For one agent: the calls that rang at (or were answered by) that agent; calls abandoned
  in the queue before reaching anyone belong to no agent and count only city-wide.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from .models import CallRecord, Outcome


def short_abandon_seconds() -> int:
    return int(getattr(settings, "MINHU_CTI_SHORT_ABANDON_SECONDS", 5))


@dataclass
class Rate:
    answered: int = 0
    abandoned: int = 0
    missed: int = 0
    short_abandoned: int = 0

    @property
    def offered(self) -> int:
        return self.answered + self.abandoned + self.missed - self.short_abandoned

    @property
    def rate(self) -> float | None:
        """answered / offered, or None when nothing was offered."""
        return self.answered / self.offered if self.offered else None

    @property
    def percent(self) -> float | None:
        return None if self.rate is None else round(100 * self.rate, 1)


def _counts(short: int) -> dict:
    return dict(
        answered=Count("pk", filter=Q(outcome=Outcome.ANSWERED)),
        abandoned=Count("pk", filter=Q(outcome=Outcome.ABANDONED)),
        missed=Count("pk", filter=Q(outcome=Outcome.MISSED)),
        short_abandoned=Count("pk", filter=Q(outcome=Outcome.ABANDONED,
                                             wait_seconds__lt=short)),
    )


def records_in(start: datetime, end: datetime, agent=None):
    qs = CallRecord.objects.filter(entered_at__gte=start, entered_at__lt=end).exclude(
        outcome=Outcome.IN_PROGRESS)
    return qs.filter(agent=agent) if agent is not None else qs


def answer_rate(start: datetime, end: datetime, *, agent=None, short: int | None = None) -> Rate:
    """接通率 over calls that entered in [start, end), city-wide or for one agent."""
    short = short_abandon_seconds() if short is None else short
    return Rate(**records_in(start, end, agent).aggregate(**_counts(short)))


def daily_rates(first: date, last: date, *, agent=None, short: int | None = None
                ) -> list[tuple[date, Rate]]:
    """One ``Rate`` per local day from ``first`` to ``last`` (inclusive), zeros included."""
    short = short_abandon_seconds() if short is None else short
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(first, datetime.min.time()), tz)
    end = timezone.make_aware(datetime.combine(last + timedelta(days=1), datetime.min.time()),
                              tz)
    rows = (records_in(start, end, agent)
            .annotate(day=TruncDate("entered_at", tzinfo=tz)).values("day")
            .annotate(**_counts(short)).order_by())
    by_day = {r.pop("day"): Rate(**r) for r in rows}
    days = [(first + timedelta(days=i)) for i in range((last - first).days + 1)]
    return [(d, by_day.get(d, Rate())) for d in days]


def per_agent(start: datetime, end: datetime, *, short: int | None = None) -> list[dict]:
    short = short_abandon_seconds() if short is None else short
    rows = (records_in(start, end).filter(agent__isnull=False)
            .values("agent_id", "agent__username", "agent__display_name")
            .annotate(**_counts(short)).order_by("agent__username"))
    out = []
    for r in rows:
        rate = Rate(answered=r["answered"], abandoned=r["abandoned"], missed=r["missed"],
                    short_abandoned=r["short_abandoned"])
        out.append({"username": r["agent__username"],
                    "name": r["agent__display_name"] or r["agent__username"], "rate": rate})
    return out
