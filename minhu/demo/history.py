"""Months of history for the demo city, made only through the ``do_*`` actions.

``build_history(geo, people, months=3, per_day=60, rng=…)`` replays the hotline day by
day, from ``months`` ago up to now, in the city's time zone. It is a small discrete-event
simulation: every citizen call is an event at a realistic moment (7×24, busiest in the
morning, on Mondays, heating in winter, floods in July, noise on summer evenings); each
step an actor takes schedules the next one (the dispatcher dispatches within the hour,
a unit signs and replies in office hours, the callback agent calls the next day …), and
every step runs inside ``clock.pinned(moment)`` so the platform stamps it with that
moment. Steps due after "now" are simply not taken, so the recent days end open:
registered, waiting to be signed, in hand, replied and waiting for the callback.

Nothing is written to the orders directly: registration, dispatch, returns, sub-orders,
summons, extensions, replies, callbacks, reopening, merges, withdrawals, urging,
supervision, escalation and the unreasonable-request flag all go through the actions,
and ``sweep_deadlines()`` runs at 23:59 of every simulated day so the yellow and overdue
flags land when they would have. Each simulated day is one transaction (SQLite is much
faster that way); the notices an action queues for "after commit" are delivered right
after the action, inside that transaction, so they carry the action's moment.

Requests arrive on every channel through that channel's own entry point (``arrivals.py``):
an agent takes the calls (and the call records show the calls nobody answered), the portal,
QR codes, grid patrols, partners, the province and Open311 store the raw payload first and
register as their service accounts, so each channel's page has its data. Replayed history
sends no SMS and queues no status pushes (the province endpoint is configured afterwards).

Units differ on purpose (some sign fast and reply well, some drag), so the rankings and
the satisfaction rates have something to show.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import math
import random
import time as wallclock
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from minhu.accounts.models import User
from minhu.accounts.roles import Role
from minhu.catalog.models import CallbackDimension, Category, PlatformSettings
from minhu.catalog.routing import Route, route_order
from minhu.core import clock
from minhu.core.errors import MinhuError
from minhu.orders.actions import (
    Intake,
    do_answer_directly,
    do_callback,
    do_dispatch,
    do_escalate,
    do_forward,
    do_mark_unreasonable,
    do_merge,
    do_register,
    do_reply,
    do_report_in,
    do_report_up,
    do_request_extension,
    do_return,
    do_review_dissatisfaction,
    do_review_extension,
    do_review_return,
    do_review_unreasonable,
    do_sign,
    do_sub_dispatch,
    do_summon,
    do_supervise,
    do_urge,
    do_withdraw,
    send_daily_reminders,
    sweep_deadlines,
)
from minhu.orders.models import WorkOrder
from minhu.orders.states import AssignmentRole, Channel, State
from minhu.org.kinds import FUNCTIONAL_KINDS, UnitKind
from minhu.org.models import Unit
from minhu.workcal.clock import calendar

from . import texts as t
from .arrivals import PARTNER_CHANNELS, Arrivals
from .channels import Channels, build_channels
from .geography import Geography

# Every order goes through the real actions (about 20–60 queries each), so the volume is
# what fits the time: 3 months at 60 a day (≈5,300 orders, half of them consultations
# answered on the spot) take about 2½ minutes on SQLite on a busy 2-core machine.
DEFAULT_PER_DAY = 60
H = timedelta(hours=1)
MIN = timedelta(minutes=1)

# Calls per hour of the day (7×24), and for evening matters (noise, barbecue smoke).
HOUR_WEIGHTS = (0.6, 0.35, 0.25, 0.2, 0.2, 0.35, 0.9, 2.2, 5.5, 8.0, 8.5, 7.5,
                5.0, 5.5, 7.0, 7.0, 6.5, 5.0, 3.8, 3.5, 3.2, 2.6, 1.8, 1.1)
EVENING_WEIGHTS = (2.5, 1.5, 0.8, 0.4, 0.2, 0.3, 1.0, 1.5, 2.5, 3.0, 3.0, 2.5,
                   2.0, 2.0, 2.2, 2.2, 2.2, 2.4, 3.0, 4.5, 6.0, 7.5, 8.0, 5.5)
# Monday peaks, weekends are quiet.
WEEKDAY_FACTOR = (1.25, 1.1, 1.0, 1.0, 0.95, 0.72, 0.68)
# Share of each request type in the volume (consultations are about half, as in Beijing).
TYPE_MIX = (("consult", 0.50), ("issue", 0.43), ("suggestion", 0.05), ("praise", 0.02))
# Where citizens' requests come from. Over all types the phone brings about 70 %, the
# WeChat mini program and the portal about 15 %, QR codes, the province, the department
# system, the merged hotline and Open311 a few % each (a QR code needs a building:
# otherwise the citizen phoned).
CHANNEL_MIX = ((Channel.PHONE, 0.56), (Channel.WECHAT, 0.10), (Channel.WEB, 0.05),
               (Channel.QR, 0.12), (Channel.PROVINCE, 0.06), (Channel.PARTNER, 0.04),
               (Channel.HOTLINE, 0.03), (Channel.OPEN311, 0.04))
CONSULT_CHANNELS = ((Channel.PHONE, 0.82), (Channel.WECHAT, 0.12), (Channel.WEB, 0.06))
# Grid workers' patrol reports come on top of the citizens' requests (about 5 % of all
# orders), in patrol hours, about the matters they look for; some solved on the spot.
PATROL_SHARE = 0.05
PATROL_HOURS = (0, 0, 0, 0, 0, 0, 0, 0.5, 3, 5, 5, 4, 1.5, 2, 4.5, 4.5, 3.5, 1.5,
                0, 0, 0, 0, 0, 0)
ON_SPOT_SHARE = 0.3
PATROL_ON_SPOT_NOTES = ("已现场协调物业处理，问题已解决", "已当场清理完毕并拍照留存",
                        "现场劝导当事人，已整改到位", "已联系维修人员到场修复",
                        "已现场处置，拍照留存备查")

# Departments a street calls in (吹哨) by first-level category.
SUMMONABLE = {
    "CG": ("CGJ", "HBJ", "SJJ", "GAJ"), "CJ": ("ZJJ", "FGJ", "SJJ"), "SZ": ("SWJ", "CGJ"),
    "HB": ("HBJ", "CGJ"), "MZ": ("SFJ", "GAJ", "MZJ"), "GA": ("XFZD", "YJJ", "GAJ"),
    "NY": ("NYJ", "ZGJ", "SWJ"), "QT": ("CGJ", "SJJ"),
}
# Units a dispatcher might confuse with the right one.
CONFUSABLE = {
    "CGJ": ("HBJ", "ZJJ"), "HBJ": ("CGJ",), "ZJJ": ("FGJ", "CGJ"), "FGJ": ("ZJJ",),
    "RSJ": ("YBJ", "GJJ"), "YBJ": ("RSJ", "WJW"), "WJW": ("YBJ",), "SJJ": ("WJW", "SWUJ"),
    "JTJ": ("JJZD", "CGJ"), "JJZD": ("JTJ",), "WATER": ("SWJ",), "SWJ": ("WATER",),
    "GAJ": ("JJZD",), "JYJ": ("RSJ",), "MZJ": ("RSJ",), "POWER": ("JXJ",), "HEAT": ("ZJJ",),
    "GAS": ("ZJJ",), "GJJ": ("RSJ",), "ZWJ": ("SJJ",), "TXB": ("JXJ",), "YLJ": ("CGJ",),
}
WORKING = frozenset({State.DISPATCHED, State.HANDLING, State.RETURN_REVIEW})
UNIT_HOLDS = frozenset({State.DISPATCHED, State.HANDLING})


@dataclass
class HistoryResult:
    start: date
    end: datetime
    days: int
    registered: int = 0
    actions: Counter = field(default_factory=Counter)
    refused: Counter = field(default_factory=Counter)
    refusal_samples: list[str] = field(default_factory=list)
    staff_created: int = 0
    calls: int = 0  # call records (answered, abandoned, missed)
    refused_payloads: int = 0
    seconds: float = 0.0
    timings: Counter = field(default_factory=Counter)  # seconds spent per kind of step


@dataclass
class _Profile:
    """How a unit works: how fast, how often late, how its replies go down."""

    speed: float
    late: float
    dissatisfied: float


@dataclass(eq=False)
class _Story:
    """What the simulation remembers about one order between its events."""

    order: object
    cat: t.Cat
    slots: t.Slots
    kind: str  # issue / consult / suggestion
    dispatcher: User | None
    state: str
    reply_texts: tuple[str, ...] = ()
    variant: int | None = None  # which of the category's issue texts the citizen said
    place: object = None
    where: t.Place | None = None
    gen: int = 0  # bumped whenever the order changes hands: older events are void
    lead: Unit | None = None
    right: Route | None = None
    wrong_lead: bool = False
    unfounded_done: bool = False
    signed: bool = False
    forwarded: bool = False
    master: _Story | None = None
    is_master: bool = False
    parent: _Story | None = None
    parent_gen: int = 0
    open_children: int = 0
    round: int = 0
    escalated: bool = False
    supervised: bool = False
    callback_tries: int = 0
    solved: bool = True


class _Stop(Exception):
    """An action refused: the story stops here (recorded in the result)."""


def build_history(geo: Geography, people: dict[str, User], *, months: float = 3,
                  per_day: int = DEFAULT_PER_DAY, rng: random.Random,
                  progress: Callable[[int, int, int], None] | None = None,
                  end: datetime | None = None, channels: Channels | None = None
                  ) -> HistoryResult:
    """Simulate ``months`` of hotline work ending at ``end`` (default: now). The channels
    are set up first when ``channels`` is not given (``channels.build_channels``)."""
    sim = _Simulation(geo, people, rng=rng, months=months, per_day=per_day,
                      end=end or timezone.now(), channels=channels)
    from minhu.notices.outgoing import paused  # no SMS to citizens about replayed history

    with paused():
        return sim.run(progress)


class _Simulation:
    def __init__(self, geo: Geography, people: dict[str, User], *, rng: random.Random,
                 months: float, per_day: int, end: datetime,
                 channels: Channels | None = None):
        self.geo = geo
        self.rng = rng
        self.per_day = per_day
        self.tz = timezone.get_default_timezone()
        self.end = end
        end_day = timezone.localtime(end, self.tz).date()
        days = max(1, round(months * 365.25 / 12))
        self.start_day = end_day - timedelta(days=days)
        self.result = HistoryResult(start=self.start_day, end=end,
                                    days=(end_day - self.start_day).days + 1)
        self.now = datetime.combine(self.start_day, time(), tzinfo=self.tz)
        if channels is None:
            channels = build_channels(geo, since=self.now)
        self.channels = channels
        self.arrivals = Arrivals(channels, rng)
        self._queue: list = []
        self._seq = itertools.count()
        self._routes: dict = {}
        self._profiles: dict[int, _Profile] = {}
        self._recent_callers: list[tuple[str, str]] = []
        self._index_city()
        self._index_people(people)
        settings = PlatformSettings.current()
        self.reminder_hour = settings.reminder_hour
        self.categories = {c.code: c for c in Category.objects.all()}
        self.dimensions = list(CallbackDimension.objects.filter(is_active=True)
                               .values_list("code", flat=True))

    # --- the city and its people ---------------------------------------------------

    def _index_city(self) -> None:
        geo = self.geo
        self.units = {u.pk: u for u in geo.all_units()}
        self.street_of = {c.pk: self.units[c.parent_id] for c in geo.communities}
        self.sub_centre_of = {s.serves_id: s for s in geo.sub_centres}
        rural = {d.pk for d in geo.districts if d.code == "NS"}
        compounds_by_comm: dict[int, list] = {}
        for p in geo.compounds:
            compounds_by_comm.setdefault(p.community_id, []).append(p)
        buildings_by_compound: dict[int, list] = {}
        for b in geo.buildings:
            buildings_by_compound.setdefault(b.parent_id, []).append(b)
        roads_by_street: dict[int, list] = {}
        for r in geo.roads:
            roads_by_street.setdefault(self.street_of[r.community_id].pk, []).append(r)
        landmarks_by_street: dict[int, list] = {}
        for m in geo.landmarks:
            landmarks_by_street.setdefault(self.street_of[m.community_id].pk, []).append(m)
        self.compounds_by_comm = compounds_by_comm
        self.buildings_by_compound = buildings_by_compound
        self.roads_by_street = roads_by_street
        self.landmarks_by_street = landmarks_by_street
        self.compound_by_pk = {p.pk: p for p in geo.compounds}
        # Where calls come from: every community, the named showcase ones (where the demo
        # accounts work) much more often, villages less than town.
        showcase = {"DC0101", "XH0101", "GX0101", "BJ0101", "NS0101"}
        comms, weights, rural_comms = [], [], []
        for c in geo.communities:
            is_rural = self.street_of[c.pk].parent_id in rural
            comms.append(c)
            weights.append(6.0 if c.code in showcase else (0.5 if is_rural else 1.0))
            if is_rural:
                rural_comms.append(c)
        self.communities = comms
        self.community_cum = list(itertools.accumulate(weights))
        self.rural_communities = rural_comms or comms

    def _index_people(self, people: dict[str, User]) -> None:
        self.handlers: dict[int, User] = {}
        self.agents, self.dispatchers, self.supervisors, self.callbackers = [], [], [], []
        self.sub_dispatchers: dict[int, User] = {}
        centre = self.geo.centre
        for user in sorted(people.values(), key=lambda u: u.username):
            roles = user.roles
            if Role.UNIT_HANDLER in roles and user.unit_id:
                self.handlers.setdefault(user.unit_id, user)
            if Role.AGENT in roles:
                self.agents.append(user)
            if Role.DISPATCHER in roles:
                if user.unit_id == centre.pk:
                    self.dispatchers.append(user)
                elif user.unit_id:
                    self.sub_dispatchers.setdefault(user.unit_id, user)
            if Role.SUPERVISOR in roles:
                self.supervisors.append(user)
            if Role.CALLBACK_AGENT in roles:
                self.callbackers.append(user)
        if not (self.agents and self.dispatchers and self.supervisors and self.callbackers):
            raise ValueError("the demo staff is incomplete: run build_people first")
        self._password = next(iter(people.values())).password
        self._handler_group = Group.objects.get(name=Role.UNIT_HANDLER)

    def handler(self, unit: Unit) -> User:
        """The unit's handler; units without staff (most communities and grids) get one
        the first time they receive work, as a real unit would have."""
        user = self.handlers.get(unit.pk)
        if user is None:
            username = f"{unit.code.lower().replace('-', '_')}_handler"
            user = User.objects.filter(username=username).select_related("unit").first()
            if user is None:
                user = User.objects.create(
                    username=username, password=self._password,
                    display_name=t.staff_name(self.rng), unit=unit,
                    phone=f"139{self.rng.randint(0, 99_999_999):08d}")
                user.groups.add(self._handler_group)
                self.result.staff_created += 1
            self.handlers[unit.pk] = user
        return user

    def profile(self, unit: Unit) -> _Profile:
        p = self._profiles.get(unit.pk)
        if p is None:
            rng = self.rng
            p = _Profile(speed=math.exp(rng.gauss(0, 0.35)),
                         late=min(0.3, rng.expovariate(1 / 0.06)),
                         dissatisfied=max(-0.04, rng.gauss(0, 0.03)))
            self._profiles[unit.pk] = p
        return p

    # --- the event loop --------------------------------------------------------------

    def at(self, moment: datetime, fn, *args) -> None:
        """Schedule ``fn(*args)`` at ``moment`` (never before the current moment)."""
        moment = max(moment, self.now + timedelta(seconds=30))
        if moment <= self.end:
            heapq.heappush(self._queue, (moment, next(self._seq), fn, args))

    def run(self, progress) -> HistoryResult:
        started = wallclock.monotonic()
        total = self.result.days
        # A few payloads the channels refuse, the day before the end (渠道接入 lists them).
        self.at(max(self.now, self.end - timedelta(hours=20)), self._refused_payloads)
        for i in range(total):
            day = self.start_day + timedelta(days=i)
            self._plan_day(day)
            day_end = min(datetime.combine(day, time(23, 59), tzinfo=self.tz), self.end)
            with transaction.atomic():
                self._run_until(day_end)
                self.now = day_end
                with clock.pinned(day_end):
                    began = wallclock.perf_counter()
                    sweep_deadlines()
                    self._deliver_notices()
                    self.result.timings["sweep_deadlines"] += wallclock.perf_counter() - began
                    began = wallclock.perf_counter()
                    self.result.calls += self.arrivals.write_calls(day, day_end, HOUR_WEIGHTS)
                    self.result.timings["call_records"] += wallclock.perf_counter() - began
            if progress:
                progress(i + 1, total, self.result.registered)
        self.result.seconds = wallclock.monotonic() - started
        return self.result

    def _run_until(self, limit: datetime) -> None:
        queue = self._queue
        while queue and queue[0][0] <= limit:
            moment, _, fn, args = heapq.heappop(queue)
            self.now = moment
            with clock.pinned(moment):
                with contextlib.suppress(_Stop):  # the refusal is already recorded
                    fn(*args)
                began = wallclock.perf_counter()
                self._deliver_notices()
                self.result.timings["notices"] += wallclock.perf_counter() - began

    @staticmethod
    def _deliver_notices() -> None:
        """Run what the actions queued for "after commit" now, under the action's moment
        (the day's transaction commits only at midnight)."""
        conn = transaction.get_connection()
        while conn.run_on_commit:
            pending, conn.run_on_commit = conn.run_on_commit, []
            for _savepoints, func, _robust in pending:
                func()

    def do(self, name: str, fn, *args, **kwargs):
        began = wallclock.perf_counter()
        try:
            result = fn(*args, **kwargs)
        except MinhuError as exc:
            self.result.timings[name] += wallclock.perf_counter() - began
            self.result.refused[f"{name}: {exc.code}"] += 1
            if len(self.result.refusal_samples) < 20:
                number = getattr(args[0], "number", "?") if args else "?"
                self.result.refusal_samples.append(
                    f"{self.now:%Y-%m-%d %H:%M} {name} {number}: {exc.message}")
            raise _Stop from exc
        self.result.timings[name] += wallclock.perf_counter() - began
        self.result.actions[name] += 1
        return result

    # --- moments ---------------------------------------------------------------------

    def local(self, moment: datetime) -> datetime:
        return timezone.localtime(moment, self.tz)

    def _at_clock(self, day: date, hh: int, mm: int = 0) -> datetime:
        return datetime.combine(day, time(hh, mm), tzinfo=self.tz)

    def office(self, moment: datetime) -> datetime:
        """The moment, or the next opening of a unit's office (working days 8:30–12:00,
        13:30–17:30) with a little delay for getting to it."""
        local = self.local(moment)
        day = local.date()
        for _ in range(40):
            if calendar.is_workday(day):
                for start, stop in (((8, 30), (12, 0)), ((13, 30), (17, 30))):
                    opens = self._at_clock(day, *start)
                    closes = self._at_clock(day, *stop)
                    if local < opens:
                        return opens + self.rng.uniform(0, 50) * MIN
                    if local < closes:
                        return local
            day += timedelta(days=1)
            local = self._at_clock(day, 0)
        return local

    def desk(self, moment: datetime, *, urgent: bool = False, pressing: bool = False
             ) -> datetime:
        """When the centre's dispatch desk gets to it: within the hour by day; the night
        shift (21:00–8:00) dispatches urgent and pressing orders and leaves the rest to
        the morning shift."""
        rng = self.rng
        local = self.local(moment)
        if urgent:
            return moment + rng.uniform(3, 15) * MIN
        if 8 <= local.hour < 21:
            return moment + rng.uniform(3, 50) * MIN
        if pressing:
            return moment + rng.uniform(15, 90) * MIN
        day = local.date() + timedelta(days=1 if local.hour >= 21 else 0)
        return self._at_clock(day, 8) + rng.uniform(0, 120) * MIN

    def callback_hours(self, moment: datetime) -> datetime:
        """Callback agents call 8:30–20:30, every day."""
        local = self.local(moment)
        if local.hour >= 21 or (local.hour == 20 and local.minute >= 30):
            return self._at_clock(local.date() + timedelta(days=1), 8, 30) + \
                self.rng.uniform(0, 150) * MIN
        if local.hour < 8 or (local.hour == 8 and local.minute < 30):
            return self._at_clock(local.date(), 8, 30) + self.rng.uniform(0, 150) * MIN
        return moment

    # --- a day of calls --------------------------------------------------------------

    def _plan_day(self, day: date) -> None:
        rng = self.rng
        factor = WEEKDAY_FACTOR[day.weekday()]
        if day.weekday() < 5 and not calendar.is_workday(day):
            factor *= 0.8  # a public holiday
        count = max(1, round(self.per_day * factor * rng.uniform(0.9, 1.1)))
        month = day.month - 1
        issue_w = [c.issue * (c.months[month] if c.months else 1) * bool(c.issues)
                   for c in t.CATEGORIES]
        consult_w = [c.consult * (c.months[month] if c.months else 1) * bool(c.questions)
                     for c in t.CATEGORIES]
        kinds = [k for k, _ in TYPE_MIX]
        kind_w = [w for _, w in TYPE_MIX]
        grid_w = [w * c.grid for w, c in zip(issue_w, t.CATEGORIES, strict=True)]
        for _ in range(round(count * PATROL_SHARE * rng.uniform(0.7, 1.3))):
            moment = self._at_clock(day, rng.choices(range(24), PATROL_HOURS)[0]) + \
                timedelta(seconds=rng.randint(0, 3599))
            self.at(moment, self._issue, rng.choices(t.CATEGORIES, grid_w)[0], None, True)
        for _ in range(count):
            kind = rng.choices(kinds, kind_w)[0]
            cat = None
            if kind == "issue":
                cat = rng.choices(t.CATEGORIES, issue_w)[0]
            elif kind == "consult":
                cat = rng.choices(t.CATEGORIES, consult_w)[0]
            hours = EVENING_WEIGHTS if cat is not None and cat.evening else HOUR_WEIGHTS
            hour = rng.choices(range(24), hours)[0]
            moment = self._at_clock(day, hour) + timedelta(seconds=rng.randint(0, 3599))
            self.at(moment, self._arrive, kind, cat)
        self.at(self._at_clock(day, self.reminder_hour), self._remind)

    def _refused_payloads(self) -> None:
        self.result.refused_payloads += self.arrivals.refused_payloads()

    def _remind(self) -> None:
        began = wallclock.perf_counter()
        send_daily_reminders()
        self.result.timings["daily_reminders"] += wallclock.perf_counter() - began

    def _arrive(self, kind: str, cat: t.Cat | None) -> None:
        if kind == "issue":
            self._issue(cat)
        elif kind == "consult":
            self._consult(cat)
        elif kind == "suggestion":
            self._suggestion()
        else:
            self._praise()

    # --- places and people who call --------------------------------------------------

    def _community(self, rural: bool = False) -> Unit:
        if rural:
            return self.rng.choice(self.rural_communities)
        return self.rng.choices(self.communities, cum_weights=self.community_cum)[0]

    def _locate(self, where: str, *, rural: bool = False, compound=None):
        """Pick the place a request is about: (place or None, slot values, address)."""
        rng = self.rng
        if compound is not None:
            community = self.units[compound.community_id]
        else:
            community = self._community(rural)
            compounds = self.compounds_by_comm.get(community.pk)
            compound = rng.choice(compounds) if compounds else None
        street = self.street_of[community.pk]
        district = self.units[street.parent_id]
        buildings = self.buildings_by_compound.get(compound.pk, []) if compound else []
        building = rng.choice(buildings) if buildings else None
        roads = self.roads_by_street.get(street.pk) or self.geo.roads
        road = rng.choice(roads)
        road2 = rng.choice(roads)
        landmarks = self.landmarks_by_street.get(street.pk)
        landmark = rng.choice(landmarks) if landmarks else None
        slots = t.Place(
            district=district.name, street=street.name, community=community.name,
            compound=compound.name if compound else community.short_name + "小区",
            building=building.name if building else "1号楼", road=road.name,
            road2=road2.name if road2.pk != road.pk else road.name + "支",
            landmark=landmark.name if landmark else road.name + "口",
        )
        place, address = None, ""
        if where == "building" and (building or compound):
            place = building or compound
            address = (compound.address + building.name) if building else compound.address
        elif where == "compound" and compound:
            place, address = compound, compound.address
        elif where == "landmark" and landmark:
            place, address = landmark, landmark.address
        elif where in ("road", "landmark", "building", "compound"):
            place, address = road, road.address
        return place, slots, address

    def _caller(self) -> tuple[str, str]:
        rng = self.rng
        if self._recent_callers and rng.random() < 0.08:  # calls again about something else
            return rng.choice(self._recent_callers)
        caller = (t.citizen_name(rng), t.citizen_phone(rng))
        self._recent_callers.append(caller)
        if len(self._recent_callers) > 500:
            self._recent_callers.pop(0)
        return caller

    def _channel(self, mix, place, cat: t.Cat | None) -> str:
        channels = [c for c, _ in mix]
        channel = self.rng.choices(channels, [w for _, w in mix])[0]
        if channel == Channel.QR and (place is None or place.kind != "building"):
            return Channel.PHONE
        return channel

    def _intake(self, *, content: str, request_type: str, cat_code: str, place, address: str,
                channel: str, urgency: str = "normal", enterprise: bool = False,
                title_where: str = "") -> Intake:
        rng = self.rng
        name, phone = self._caller()
        category = self.categories.get(cat_code)
        title = f"{title_where}{category.name}" if category else ""
        return Intake(
            content=content, request_type=request_type, channel=channel, urgency=urgency,
            category=cat_code, title=title[:120], citizen_name=name, citizen_phone=phone,
            is_anonymous=channel == Channel.PHONE and rng.random() < 0.03,
            is_enterprise=enterprise,
            enterprise_name=t.Slots(rng, t.Place(*[""] * 8))["company"] if enterprise else "",
            address=address, place_id=place.pk if place is not None else None,
        )

    def _register(self, intake: Intake, *, answer: str | None = None, place=None):
        """Register through the intake's channel; an answer on the spot is the agent's
        (for an online request: the agent who picked it up from the pool)."""
        rng = self.rng
        agent = rng.choice(self.agents)
        channel = intake.channel
        arrivals = self.arrivals
        if channel == Channel.PHONE:
            order, created = self.do("register", do_register, agent, intake, answer=answer)
            arrivals.phone_call(agent, intake.citizen_phone)
        else:
            if channel == Channel.WEB:
                order = self.do("register", arrivals.portal, intake)
            elif channel == Channel.QR:
                order = self.do("register", arrivals.portal, intake,
                                qr_code=self._qr_code(place))
            elif channel == Channel.OPEN311:
                order = self.do("register", arrivals.open311, intake)
            elif channel == Channel.PROVINCE:
                local = self.local(self.now)
                deadline = self._at_clock(local.date(), 18) + timedelta(
                    days=rng.choice((3, 5, 5, 7, 10)))
                order = self.do("register", arrivals.province, intake, deadline, place)
            elif channel in PARTNER_CHANNELS:
                area = ""
                if place is not None:
                    area = self.units[place.grid_id or place.community_id].code
                order = self.do("register", arrivals.partner, intake, place, area)
            else:
                raise ValueError(f"no demo arrival for channel {channel}")
            created = True
            if answer:
                order = self.do("answer_directly", do_answer_directly, order, agent, answer)
        if created:
            self.result.registered += 1
            if answer and channel == Channel.PHONE:  # do() counted the others
                self.result.actions["answer_directly"] += 1
        return order

    # --- intake ----------------------------------------------------------------------

    def _issue(self, cat: t.Cat, master: _Story | None = None, patrol: bool = False) -> None:
        rng = self.rng
        if master is None:
            place, where, address = self._locate(cat.where, rural=cat.rural)
            slots = t.Slots(rng, where)
            kind = cat.kind
            if kind in ("help", "complaint") and rng.random() < 0.2:
                kind = "complaint" if kind == "help" else "help"
            roll = rng.random()
            if roll < cat.urgent_share:
                urgency = "urgent"
            elif roll < cat.urgent_share + cat.pressing_share:
                urgency = "pressing"
            elif roll < cat.urgent_share + cat.pressing_share + cat.complex_share:
                urgency = "complex"
            else:
                urgency = "normal"
            if urgency == "urgent" and cat.urgent:
                variant, template = None, rng.choice(cat.urgent)
            else:
                variant = rng.randrange(len(cat.issues))
                template = cat.issues[variant]
        else:
            # Another caller about the same problem at the same place, the same day: the
            # same words, another flat of the same compound.
            mplace = master.place
            if mplace.kind in ("building", "compound"):
                compound = mplace if mplace.kind == "compound" else \
                    self.compound_by_pk[mplace.parent_id]
                place, where, address = self._locate(cat.where, compound=compound)
            else:
                place, where, address = mplace, master.where, mplace.address
            slots = t.Slots(rng, where)
            slots.update({k: v for k, v in master.slots.items()
                          if k not in ("building", "unit_no", "room")})
            kind = master.order.request_type.code
            urgency = master.order.urgency.code
            variant, template = master.variant, master.slots["_template"]
        slots["_template"] = template
        content = t.fill(template, slots)
        channel = self._channel(CHANNEL_MIX, place, cat)
        if patrol and place is not None:
            channel = Channel.GRID
        if master is not None and channel == Channel.QR:
            channel = Channel.PHONE  # the others who call about it use the phone
        title_where = where.compound if cat.where in ("building", "compound") else (
            where.road if cat.where == "road" else "")
        intake = self._intake(
            content=content, request_type=kind, cat_code=cat.code, place=place,
            address=address, channel=channel, urgency=urgency, enterprise=cat.enterprise,
            title_where=title_where)
        story = _Story(order=None, cat=cat, slots=slots, kind="issue",
                       dispatcher=rng.choice(self.dispatchers), state=State.REGISTERED,
                       reply_texts=cat.replies or t.GENERIC_REPLIES, master=master,
                       place=place, where=where, variant=variant)
        if channel == Channel.GRID:
            self._patrol_report(story, intake, place)
            return
        story.order = order = self._register(intake, place=place)
        if channel == Channel.QR:
            self._scanned(story, intake)
            return
        self.at(self.desk(self.now, urgent=urgency == "urgent", pressing=urgency == "pressing"),
                self._dispatch, story)
        if (master is None and variant in cat.crowd and order.place_id
                and rng.random() < 0.25):
            story.is_master = True
            for _ in range(rng.randint(1, 5)):
                self.at(self.now + rng.uniform(10, 360) * MIN, self._issue, cat, story)

    def _consult(self, cat: t.Cat) -> None:
        rng = self.rng
        place, where, address = self._locate(cat.where, rural=cat.rural)
        slots = t.Slots(rng, where)
        question, answer = rng.choice(cat.questions)
        question, answer = t.fill(question, slots), t.fill(answer, slots)
        channel = self._channel(CONSULT_CHANNELS, place, cat)
        intake = self._intake(content=question, request_type="consult", cat_code=cat.code,
                              place=place if cat.where else None, address=address,
                              channel=channel, enterprise=cat.enterprise)
        if rng.random() < 0.9:
            self._register(intake, answer=answer, place=place)
            return
        # The knowledge base has no answer for this case: the department answers.
        order = self._register(intake, place=place)
        story = _Story(order=order, cat=cat, slots=slots, kind="consult",
                       dispatcher=rng.choice(self.dispatchers), state=State.REGISTERED,
                       reply_texts=(answer,))
        self.at(self.desk(self.now), self._dispatch, story)

    def _suggestion(self) -> None:
        rng = self.rng
        code, where_kind, template = rng.choice(t.SUGGESTIONS)
        place, where, address = self._locate(where_kind)
        slots = t.Slots(rng, where)
        intake = self._intake(content=t.fill(template, slots), request_type="suggestion",
                              cat_code=code, place=place, address=address,
                              channel=self._channel(CONSULT_CHANNELS, place, None))
        if rng.random() < 0.65:
            self._register(intake, answer=rng.choice(t.SUGGESTION_ANSWERS), place=place)
            return
        order = self._register(intake, place=place)
        cat = t.CATEGORY_BY_CODE.get(code) or t.CATEGORIES[0]
        story = _Story(order=order, cat=cat, slots=slots, kind="suggestion",
                       dispatcher=rng.choice(self.dispatchers), state=State.REGISTERED,
                       reply_texts=t.SUGGESTION_REPLIES)
        self.at(self.desk(self.now), self._dispatch, story)

    def _praise(self) -> None:
        rng = self.rng
        _place, where, _address = self._locate("")
        slots = t.Slots(rng, where)
        intake = self._intake(content=t.fill(rng.choice(t.PRAISE), slots),
                              request_type="praise", cat_code="QT05", place=None, address="",
                              channel=self._channel(CONSULT_CHANNELS, None, None))
        self._register(intake, answer=rng.choice(t.PRAISE_ANSWERS))

    # --- channels with their own routing ----------------------------------------------

    def _qr_code(self, place) -> str:
        """The building's code; buildings outside the named communities get theirs the
        first time someone scans (as if printed when the history began)."""
        codes = self.channels.qr_codes
        if place.pk not in codes:
            from minhu.qrcodes.models import code_for

            with clock.pinned(datetime.combine(self.start_day, time(), tzinfo=self.tz)):
                codes[place.pk] = code_for(place).code
        return codes[place.pk]

    def _scanned(self, story: _Story, intake: Intake) -> None:
        """民呼社应: the street leads, its community gets a sub-order and acts first."""
        from minhu.qrcodes.routing import route_first_to_community

        child = self.do("qr_route", route_first_to_community, story.order)
        story.order.refresh_from_db()
        if child is None:  # no community known: the centre dispatches as usual
            self.at(self.desk(self.now), self._dispatch, story)
            return
        story.gen += 1
        story.lead = self.units[story.order.street_id]
        story.signed = True
        story.state = State.HANDLING
        story.open_children += 1
        community = self.units[story.order.community_id]
        sub = _Story(order=child, cat=story.cat, slots=story.slots, kind="sub",
                     dispatcher=None, state=State.DISPATCHED, reply_texts=t.SUB_REPLIES,
                     parent=story, parent_gen=story.gen, lead=community, gen=1)
        self.at(self._sign_moment(community, False, "normal"), self._child_acts, sub)

    def _patrol_report(self, story: _Story, intake: Intake, place) -> None:
        """A grid worker of the place's grid reports it (网格员主动发现): solved on the
        spot, dispatched to the street by the patrol account, or left to the centre."""
        from minhu.patrol.actions import PatrolInput, do_patrol_report

        rng = self.rng
        worker = self.handler(self.units[place.grid_id])
        on_spot = intake.urgency != "urgent" and rng.random() < ON_SPOT_SHARE
        data = PatrolInput(content=intake.content, category=intake.category,
                           place_id=place.pk, solved_on_spot=on_spot,
                           note=rng.choice(PATROL_ON_SPOT_NOTES) if on_spot else "",
                           key=f"{rng.getrandbits(64):016x}")
        report = self.do("register", do_patrol_report, worker, data)
        self.result.registered += 1
        if on_spot:
            self.result.actions["close_on_spot"] += 1
            return
        story.order = order = WorkOrder.objects.get(pk=report.order_id)
        if order.state != State.DISPATCHED:
            self.at(self.desk(self.now), self._dispatch, story)
            return
        co = [self.units[pk] for pk in order.assignments.filter(role=AssignmentRole.CO)
              .values_list("unit_id", flat=True)]
        self._handed_to(story, self.units[order.lead_unit_id], co)

    # --- dispatch desk ---------------------------------------------------------------

    def _route(self, order) -> Route | None:
        key = (order.category_id, order.district_id, order.street_id, order.community_id,
               order.grid_id, order.is_enterprise)
        if key not in self._routes:
            self._routes[key] = route_order(order)
        return self._routes[key]

    def _dispatch(self, story: _Story) -> None:
        rng = self.rng
        order = story.order
        urgent = order.urgency.code == "urgent"
        if story.master is not None:
            self.do("merge", do_merge, order, story.dispatcher, story.master.order.number,
                    rng.choice(t.MERGE_NOTES))
            story.state = State.MERGED
            return
        if story.kind == "issue" and not story.is_master and rng.random() < 0.012:
            self._withdraw_now(story)
            return
        sub_centre = self.sub_centre_of.get(order.district_id)
        if (sub_centre is not None and not story.forwarded and not urgent
                and sub_centre.pk in self.sub_dispatchers and rng.random() < 0.25):
            story.order = self.do("forward", do_forward, order, story.dispatcher,
                                  sub_centre.pk, "属地事项，转区分中心派单")
            story.forwarded = True
            story.dispatcher = self.sub_dispatchers[sub_centre.pk]
            self.at(self.desk(self.now + rng.uniform(5, 40) * MIN), self._dispatch, story)
            return
        category = None
        if order.category_id is None and story.cat is not None:
            # Uncategorised on arrival (a province code not in the table): the
            # dispatcher categorises while dispatching.
            category = story.cat.code if story.cat.code in self.categories else None
            if category:
                order.category = self.categories[category]
        route = self._route(order)
        if route is None:  # nothing in the list fits: the street of the place, or 政务服务局
            lead = (self.units.get(order.street_id) or self._street_of_place(story.place)
                    or self.geo.departments["ZWJ"])
            route = Route(lead=lead, reason="权责清单未覆盖，按属地派单")
        story.right = route
        lead, co, note = route.lead, route.co, route.reason
        if (story.kind == "issue" and not urgent and story.round == 0
                and rng.random() < 0.05):
            wrong = self._wrong_unit(route.lead, story)
            if wrong is not None:
                lead, co, note = wrong, [], ""
                story.wrong_lead = True
        story.order = self.do("dispatch", do_dispatch, order, story.dispatcher, lead, co,
                              note=note, category=category)
        self._handed_to(story, lead, co)

    def _street_of_place(self, place) -> Unit | None:
        """Orders that arrive without a jurisdiction (the province sends an address and
        coordinates only): the dispatcher reads the address."""
        if place is None or place.community_id is None:
            return None
        return self.street_of.get(place.community_id)

    def _wrong_unit(self, right: Unit, story: _Story) -> Unit | None:
        rng = self.rng
        geo = self.geo
        if right.kind == UnitKind.STREET:
            options = [s for s in geo.streets_of(self.units[right.parent_id]) if s.pk != right.pk]
        elif right.kind == UnitKind.COMMUNITY:
            options = [c for c in geo.communities_of(self.units[right.parent_id])
                       if c.pk != right.pk]
        elif right.code in CONFUSABLE:
            options = [geo.unit(code) for code in CONFUSABLE[right.code]]
        elif "-" in right.code:  # a district bureau mistaken for the city department
            key = right.code.split("-", 1)[1]
            options = [geo.departments[key]] if key in geo.departments else []
        else:
            options = []
        return rng.choice(options) if options else None

    def _handed_to(self, story: _Story, lead: Unit, co: list[Unit]) -> None:
        """The order is now with ``lead`` (and ``co``): plan their first moves."""
        rng = self.rng
        story.gen += 1
        story.lead = lead
        story.signed = False
        story.state = State.DISPATCHED
        urgent = story.order.urgency.code == "urgent"
        self.at(self._sign_moment(lead, urgent, story.order.urgency.code), self._lead_acts,
                story, story.gen)
        for unit in co:
            if rng.random() < 0.6:
                self.at(self._sign_moment(unit, urgent, "normal") + rng.uniform(0, 6) * H,
                        self._co_signs, story, story.gen, unit)

    def _sign_moment(self, unit: Unit, urgent: bool, tier: str) -> datetime:
        rng = self.rng
        if urgent:
            return self.now + rng.uniform(5, 40) * MIN
        speed = self.profile(unit).speed
        if tier == "pressing":
            return self.office(self.now + rng.uniform(0.2, 2.0) * speed * H)
        return self.office(self.now + rng.lognormvariate(math.log(3), 0.8) * speed * H)

    # --- the handling unit -----------------------------------------------------------

    def _lead_acts(self, story: _Story, gen: int) -> None:
        if gen != story.gen or story.state not in UNIT_HOLDS:
            return
        rng = self.rng
        order = story.order
        h = self.handler(story.lead)
        if story.wrong_lead:
            if rng.random() < 0.3 and not story.signed:
                story.order = self.do("sign", do_sign, order, h)
                story.signed = True
            reason = rng.choice(t.RETURN_REASONS).format(right=story.right.lead.name)
            story.order = self.do("return", do_return, order, h, reason,
                                  suggested_unit=story.right.lead.pk)
            story.state = State.RETURN_REVIEW
            self.at(self.desk(self.now + rng.uniform(0.2, 4) * H), self._review_return,
                    story, gen, True)
            return
        if (story.kind == "issue" and not story.unfounded_done and story.round == 0
                and not story.escalated and rng.random() < 0.015):
            story.unfounded_done = True
            story.order = self.do("return", do_return, order, h,
                                  rng.choice(t.UNFOUNDED_RETURN_REASONS))
            story.state = State.RETURN_REVIEW
            self.at(self.desk(self.now + rng.uniform(0.2, 4) * H), self._review_return,
                    story, gen, False)
            return
        if not story.signed:
            story.order = self.do("sign", do_sign, order, h)
            story.signed = True
        story.state = State.HANDLING
        self._plan_handling(story)

    def _review_return(self, story: _Story, gen: int, approve: bool) -> None:
        if gen != story.gen or story.state != State.RETURN_REVIEW:
            return
        rng = self.rng
        if approve:
            right = story.right
            note = rng.choice(t.RETURN_APPROVED).format(right=right.lead.name)
            story.order = self.do("review_return", do_review_return, story.order,
                                  story.dispatcher, approve=True, note=note,
                                  lead_unit=right.lead, co_units=right.co)
            story.wrong_lead = False
            self._handed_to(story, right.lead, right.co)
            return
        story.order = self.do("review_return", do_review_return, story.order, story.dispatcher,
                              approve=False, note=rng.choice(t.RETURN_REJECTED))
        story.state = State.HANDLING if story.signed else State.DISPATCHED
        self.at(self.office(self.now + rng.uniform(0.3, 6) * H), self._lead_acts, story, gen)

    def _co_signs(self, story: _Story, gen: int, unit: Unit) -> None:
        if gen != story.gen or story.state not in UNIT_HOLDS:
            return
        self.do("sign", do_sign, story.order, self.handler(unit))
        if self.rng.random() < 0.45:
            self.at(self.office(self.now + self.rng.uniform(3, 48) * H), self._co_replies,
                    story, gen, unit)

    def _co_replies(self, story: _Story, gen: int, unit: Unit) -> None:
        if gen != story.gen or story.state != State.HANDLING:
            return
        self.do("co_reply", do_reply, story.order, self.handler(unit),
                self.rng.choice(t.CO_REPLIES), solved=True)

    def _plan_handling(self, story: _Story) -> None:
        """The lead has signed: decide how the handling goes and when it replies."""
        rng = self.rng
        order = story.order
        tier = order.urgency.code
        now, due = self.now, order.due_at
        gen = story.gen
        lead = story.lead
        street_led = lead.kind == UnitKind.STREET and story.parent is None
        first = story.round == 0 and not story.escalated and story.parent is None
        if first and story.kind == "issue":
            roll = rng.random()
            if (street_led and order.community_id and due and due - now > 20 * H
                    and roll < 0.16):
                self.at(self.office(now + rng.uniform(0.3, 3) * H), self._sub_dispatch,
                        story, gen)
                return
            if street_led and roll < 0.21:
                self.at(self.office(now + rng.uniform(0.5, 6) * H), self._summon, story, gen)
            elif street_led and roll < 0.235:
                self.at(self.office(now + rng.uniform(2, 30) * H), self._report_up, story, gen)
                return
            elif tier in ("normal", "complex") and due and roll < 0.30:
                ask = self.office(max(now + H, due - rng.uniform(20, 72) * H))
                if ask < due - H:
                    self.at(ask, self._ask_extension, story, gen)
                    return
            elif not story.is_master and roll < 0.315:
                self.at(now + rng.uniform(2, 48) * H, self._withdraw_later, story, gen)
            if rng.random() < 0.02:
                self.at(self.office(now + rng.uniform(2, 30) * H), self._mark_unreasonable,
                        story)
        self._plan_reply(story)

    def _plan_reply(self, story: _Story, *, within: float | None = None,
                    late_share: float | None = None) -> None:
        """Schedule the lead's reply: after a handling time typical of the tier and the
        unit, or (``within``) after that share of the time left to the deadline."""
        rng = self.rng
        order = story.order
        tier = order.urgency.code
        now = self.now
        due = order.due_at
        prof = self.profile(story.lead)
        if story.round > 0:
            hours = rng.uniform(6, 60) * prof.speed
        elif tier == "urgent":
            hours = rng.uniform(0.4, 1.7)
        elif tier == "pressing":
            hours = rng.uniform(2, 20) * prof.speed
        elif tier == "complex":
            hours = 24 * 6 * prof.speed * rng.lognormvariate(0, 0.5)
        else:
            hours = 24 * 2.2 * prof.speed * rng.lognormvariate(0, 0.5)
        if within is not None and due is not None and due > now:
            hours = (due - now) / H * within
        hours = max(hours, 0.5)
        if late_share is None:
            late_share = prof.late * (0.4 if story.round else 1) * (0.3 if tier == "urgent" else 1)
        late = rng.random() < late_share
        if due is None or due <= now:
            reply_at = self.office(now + rng.uniform(4, 40) * H)
        elif late:
            reply_at = due + rng.uniform(3, 96) * H
            reply_at = reply_at if tier == "urgent" else self.office(reply_at)
        else:
            target = now + hours * H
            reply_at = target if tier == "urgent" else self.office(target)
            if reply_at > due - 10 * MIN:  # no time to wait for office hours: overtime
                reply_at = now + (due - now) * rng.uniform(0.4, 0.95)
        self.at(reply_at, self._reply, story, story.gen)
        self._plan_supervision(story, reply_at)

    def _plan_supervision(self, story: _Story, reply_at: datetime) -> None:
        """Urge, list and escalate the orders that will be slow."""
        rng = self.rng
        order = story.order
        if story.escalated or story.parent is not None:
            return
        gen = story.gen
        yellow, due = order.yellow_at, order.due_at
        if yellow and reply_at > yellow + H:
            moment = self.office(max(yellow, self.now) + rng.uniform(1, 8) * H)
            if moment < reply_at and (due is None or moment < due):
                self.at(moment, self._urge, story, gen, "phone")
        if due and reply_at > due + 12 * H:
            moment = self.office(due + rng.uniform(2, 16) * H)
            if moment < reply_at:
                self.at(moment, self._urge, story, gen, rng.choice(("notice", "interview")))
            moment = self.office(due + rng.uniform(20, 48) * H)
            if moment < reply_at and not story.supervised and rng.random() < 0.4:
                self.at(moment, self._supervise, story, gen)
            moment = self.office(due + rng.uniform(30, 72) * H)
            if (moment < reply_at and story.lead.kind == UnitKind.STREET
                    and rng.random() < 0.25):
                self.at(moment, self._escalate, story, gen)

    def _reply(self, story: _Story, gen: int) -> None:
        if gen != story.gen or story.state != State.HANDLING or story.open_children:
            return
        if story.order.channel == Channel.QR and story.parent is None:
            # The community's solved reply may already have been relayed to the citizen.
            story.order.refresh_from_db()
            if story.order.state == State.REPLIED:
                story.state = State.REPLIED
                self.at(self.callback_hours(self.now + self.rng.uniform(2, 40) * H),
                        self._callback, story)
                return
        rng = self.rng
        solved = rng.random() < (0.98 if story.round else 0.93)
        if story.round:
            text = rng.choice(t.REOPEN_REPLIES)
        elif solved:
            texts = story.reply_texts
            aligned = story.variant is not None and len(texts) == len(story.cat.issues)
            text = t.fill(texts[story.variant] if aligned else rng.choice(texts), story.slots)
        else:
            text = rng.choice(t.UNSOLVED_REPLIES)
        story.solved = solved
        story.order = self.do("reply", do_reply, story.order, self.handler(story.lead), text,
                              solved=solved)
        if story.parent is not None:
            self._child_done(story)
            return
        story.state = State.REPLIED
        self.at(self.callback_hours(self.now + rng.uniform(2, 40) * H), self._callback, story)

    # --- sub-orders, summons, reports, extensions --------------------------------------

    def _sub_dispatch(self, story: _Story, gen: int) -> None:
        if gen != story.gen or story.state != State.HANDLING:
            return
        rng = self.rng
        community = self.units[story.order.community_id]
        due = story.order.due_at
        if not community.is_within(story.lead) or due is None or due - self.now < 4 * H:
            self._plan_reply(story)  # no time (or no community below): handle it directly
            return
        child = self.do("sub_dispatch", do_sub_dispatch, story.order,
                        self.handler(story.lead), community, rng.choice(t.SUB_DISPATCH_NOTES))
        story.open_children += 1
        sub = _Story(order=child, cat=story.cat, slots=story.slots, kind="sub",
                     dispatcher=None, state=State.DISPATCHED, reply_texts=t.SUB_REPLIES,
                     parent=story, parent_gen=gen, lead=community, gen=1)
        self.at(self._sign_moment(community, False, "normal"), self._child_acts, sub)

    def _child_acts(self, sub: _Story) -> None:
        rng = self.rng
        h = self.handler(sub.lead)
        sub.order = self.do("sign", do_sign, sub.order, h)
        sub.state = State.HANDLING
        due = sub.order.due_at
        moment = self.office(self.now + rng.uniform(4, 48) * H)
        if due and moment > due and rng.random() < 0.85:
            moment = self.now + (due - self.now) * rng.uniform(0.3, 0.9)
        if rng.random() < 0.15:
            self.at(moment, self._child_reports_up, sub)
        else:
            self.at(moment, self._reply, sub, sub.gen)

    def _child_reports_up(self, sub: _Story) -> None:
        self.do("report_up", do_report_up, sub.order, self.handler(sub.lead),
                self.rng.choice(t.SUB_REPORT_UP))
        self._child_done(sub, reported_up=True)

    def _child_done(self, sub: _Story, *, reported_up: bool = False) -> None:
        sub.state = State.CLOSED
        parent = sub.parent
        parent.open_children -= 1
        if parent.open_children or parent.gen != sub.parent_gen:
            return
        if (parent.order.channel == Channel.QR and not reported_up and sub.solved
                and parent.lead.pk == parent.order.street_id):
            # 民呼社应: the community solved it; its reply goes to the citizen as the
            # order's reply (qrcodes.routing relays it once the step commits).
            parent.state = State.REPLIED
            parent.gen += 1
            self.at(self.callback_hours(self.now + self.rng.uniform(2, 40) * H),
                    self._callback, parent)
            return
        # The street answers once its community has: soon, or after handling it itself.
        wait = self.rng.uniform(20, 60) if reported_up else self.rng.uniform(1, 20)
        reply_at = self.office(self.now + wait * H)
        self.at(reply_at, self._reply, parent, parent.gen)
        self._plan_supervision(parent, reply_at)

    def _summon(self, story: _Story, gen: int) -> None:
        if gen != story.gen or story.state != State.HANDLING:
            return
        rng = self.rng
        held = {story.lead.pk, *(u.pk for u in (story.right.co if story.right else []))}
        codes = [c for c in SUMMONABLE.get(story.cat.code[:2], ("CGJ",))
                 if c in self.geo.departments and self.geo.departments[c].pk not in held]
        if not codes:
            return
        units = [self.geo.departments[c] for c in rng.sample(codes, min(len(codes),
                                                                     rng.randint(1, 2)))]
        self.do("summon", do_summon, story.order, self.handler(story.lead), units,
                rng.choice(t.SUMMON_NOTES))
        for unit in units:
            moment = self.now + rng.uniform(0.3, 3.5) * H
            if rng.random() < 0.3:
                moment = self.office(moment)
            self.at(moment, self._report_in, story, gen, unit)

    def _report_in(self, story: _Story, gen: int, unit: Unit) -> None:
        if gen != story.gen or story.state not in UNIT_HOLDS:
            return
        self.do("report_in", do_report_in, story.order, self.handler(unit),
                self.rng.choice(t.REPORT_IN_NOTES))
        if self.rng.random() < 0.5:
            self.at(self.office(self.now + self.rng.uniform(2, 30) * H), self._co_replies,
                    story, gen, unit)

    def _report_up(self, story: _Story, gen: int) -> None:
        """街呼市应: the street cannot solve it and asks for a city department."""
        if gen != story.gen or story.state != State.HANDLING:
            return
        rng = self.rng
        higher = self._higher_unit(story)
        reason = rng.choice(t.REPORT_UP_REASONS).format(right=higher.name)
        story.order = self.do("report_up", do_report_up, story.order, self.handler(story.lead),
                              reason, suggested_unit=higher.pk)
        story.state = State.RETURN_REVIEW
        self.at(self.desk(self.now + rng.uniform(0.5, 6) * H), self._review_report_up,
                story, gen, higher)

    def _higher_unit(self, story: _Story) -> Unit:
        functional = [u for u in (story.right.co if story.right else [])
                      if u.kind in FUNCTIONAL_KINDS]
        if functional:
            return functional[0]
        return self.units[story.lead.parent_id]  # the district

    def _review_report_up(self, story: _Story, gen: int, higher: Unit) -> None:
        if gen != story.gen or story.state != State.RETURN_REVIEW:
            return
        rng = self.rng
        if rng.random() < 0.8:
            street = story.lead
            story.order = self.do("review_return", do_review_return, story.order,
                                  story.dispatcher, approve=True,
                                  note=f"同意上报，改由{higher.name}主办，{street.name}协办",
                                  lead_unit=higher, co_units=[street])
            self._handed_to(story, higher, [street])
            story.escalated = True  # no second round of side paths
            return
        story.order = self.do("review_return", do_review_return, story.order, story.dispatcher,
                              approve=False, note=rng.choice(t.RETURN_REJECTED))
        story.state = State.HANDLING
        story.escalated = True
        self.at(self.office(self.now + rng.uniform(0.5, 6) * H), self._lead_acts, story, gen)

    def _ask_extension(self, story: _Story, gen: int) -> None:
        if gen != story.gen or story.state != State.HANDLING:
            return
        rng = self.rng
        if story.order.due_at is None or story.order.due_at - self.now < 30 * MIN:
            self._plan_reply(story)
            return
        amount, unit = rng.choice(((3, "days"), (5, "days"), (7, "days"), (3, "workdays"),
                                   (5, "workdays")))
        story.order = self.do("request_extension", do_request_extension, story.order,
                              self.handler(story.lead), amount, unit,
                              rng.choice(t.EXTENSION_REASONS))
        self.at(self.desk(self.now + rng.uniform(0.5, 8) * H), self._review_extension,
                story, gen)

    def _review_extension(self, story: _Story, gen: int) -> None:
        if gen != story.gen or story.state not in WORKING:
            return
        rng = self.rng
        approve = rng.random() < 0.8
        note = rng.choice(t.EXTENSION_APPROVED if approve else t.EXTENSION_REJECTED)
        story.order = self.do("review_extension", do_review_extension, story.order,
                              story.dispatcher, approve=approve, note=note)
        # Granted: the unit uses most of the new time. Refused: it hurries, or runs late.
        self._plan_reply(story, within=rng.uniform(0.3, 0.9),
                         late_share=0.05 if approve else 0.35)

    # --- withdraw, unreasonable, supervision -------------------------------------------

    def _withdraw_now(self, story: _Story) -> None:
        story.order = self.do("withdraw", do_withdraw, story.order, self.rng.choice(self.agents),
                              self.rng.choice(t.WITHDRAW_REASONS))
        story.state = State.WITHDRAWN
        story.gen += 1

    def _withdraw_later(self, story: _Story, gen: int) -> None:
        if gen != story.gen or story.state not in WORKING or story.open_children:
            return
        self._withdraw_now(story)

    def _mark_unreasonable(self, story: _Story) -> None:
        if story.state in (State.MERGED, State.WITHDRAWN, State.REGISTERED):
            return
        self.do("mark_unreasonable", do_mark_unreasonable, story.order,
                self.handler(story.lead), self.rng.choice(t.UNREASONABLE_REASONS))
        self.at(self.office(self.now + self.rng.uniform(12, 72) * H),
                self._review_unreasonable, story)

    def _review_unreasonable(self, story: _Story) -> None:
        if story.state in (State.MERGED, State.WITHDRAWN):
            return
        approve = self.rng.random() < 0.6
        note = self.rng.choice(t.UNREASONABLE_APPROVED if approve else t.UNREASONABLE_REJECTED)
        self.do("review_unreasonable", do_review_unreasonable, story.order,
                self.rng.choice(self.supervisors), approve=approve, note=note)

    def _urge(self, story: _Story, gen: int, kind: str) -> None:
        if gen != story.gen or story.state not in WORKING:
            return
        note = self.rng.choice(t.URGE_NOTES[2:] if kind != "phone" else t.URGE_NOTES[:2])
        self.do("urge", do_urge, story.order, self.rng.choice(self.supervisors), kind, note)

    def _supervise(self, story: _Story, gen: int) -> None:
        if gen != story.gen or story.state not in WORKING or story.supervised:
            return
        story.supervised = True
        self.do("supervise", do_supervise, story.order, self.rng.choice(self.supervisors),
                self.rng.choice(t.SUPERVISE_NOTES))

    def _escalate(self, story: _Story, gen: int) -> None:
        if (gen != story.gen or story.state not in UNIT_HOLDS or story.open_children
                or story.lead.kind != UnitKind.STREET):
            return
        rng = self.rng
        street = story.lead
        district = self.units[street.parent_id]
        story.order = self.do("escalate", do_escalate, story.order,
                              rng.choice(self.supervisors), district,
                              rng.choice(t.ESCALATE_NOTES))
        story.escalated = True
        story.gen += 1
        story.lead = district
        story.signed = False
        story.state = State.DISPATCHED
        self.at(self._sign_moment(district, False, "pressing"), self._lead_acts, story,
                story.gen)
        if rng.random() < 0.5:  # the street keeps working as co-handler
            self.at(self.office(self.now + rng.uniform(4, 30) * H), self._co_replies, story,
                    story.gen, street)

    # --- callback and reopening ------------------------------------------------------

    def _callback(self, story: _Story) -> None:
        if story.state != State.REPLIED:
            return
        rng = self.rng
        story.callback_tries += 1
        agent = rng.choice(self.callbackers)
        reach = (0.82, 0.75, 0.7, 0.85, 0.9)[min(story.callback_tries, 5) - 1]
        if rng.random() > reach:
            self.do("callback", do_callback, story.order, agent, reached=False,
                    note=rng.choice(t.UNREACHED_NOTES))
            if story.callback_tries < 5:
                self.at(self.callback_hours(self.now + rng.uniform(4, 26) * H), self._callback,
                        story)
            return
        prof = self.profile(story.lead)
        p_bad = (0.075 if story.kind == "issue" else 0.04) + prof.dissatisfied
        if story.round:
            p_bad = 0.07
        if not story.solved:
            p_bad += 0.25
        roll = rng.random()
        if roll < p_bad:
            satisfaction = "dissatisfied"
            resolved = "no" if rng.random() < 0.7 else "partly"
        elif rng.random() < 0.78:
            satisfaction, resolved = "satisfied", "yes" if rng.random() < 0.95 else "partly"
        else:
            satisfaction, resolved = "basic", "yes" if rng.random() < 0.6 else "partly"
        low, high = {"satisfied": (4, 5), "basic": (3, 4), "dissatisfied": (1, 3)}[satisfaction]
        scores = {d: rng.randint(low, high) for d in self.dimensions if rng.random() < 0.7}
        story.order = self.do("callback", do_callback, story.order, agent, reached=True,
                              resolved=resolved, satisfaction=satisfaction, scores=scores,
                              note=rng.choice(t.CALLBACK_NOTES[satisfaction]))
        if satisfaction == "dissatisfied":
            story.state = State.DISSATISFIED_REVIEW
            self.at(self.office(self.now + rng.uniform(1, 30) * H),
                    self._review_dissatisfaction, story)
        else:
            story.state = State.CLOSED

    def _review_dissatisfaction(self, story: _Story) -> None:
        if story.state != State.DISSATISFIED_REVIEW:
            return
        rng = self.rng
        reviewer = rng.choice(self.supervisors if rng.random() < 0.6 else self.dispatchers)
        reopen = rng.random() < (0.8 if story.round == 0 else 0.3)
        note = rng.choice(t.DISSATISFACTION_REOPEN if reopen else t.DISSATISFACTION_CLOSE)
        story.order = self.do("review_dissatisfaction", do_review_dissatisfaction, story.order,
                              reviewer, reopen=reopen, note=note)
        if not reopen:
            story.state = State.CLOSED
            return
        story.round += 1
        story.callback_tries = 0
        story.gen += 1
        story.signed = False
        story.state = State.DISPATCHED
        self.at(self._sign_moment(story.lead, False, "pressing"), self._lead_acts, story,
                story.gen)
