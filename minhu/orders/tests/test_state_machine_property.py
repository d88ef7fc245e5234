"""Property test: random walks through the closed loop keep every order consistent.

A hypothesis state machine registers a few orders and then drives random actions at them
through the real ``do_*`` functions: with the right actor, with someone lacking the role,
with the right role at the wrong unit, with good and bad inputs, while the pinned
platform clock jumps ahead by minutes to days and the deadline sweep runs now and then.
A refused action (any ``MinhuError``) is a fine outcome, but it must leave the data
exactly as it was. After every step every order must still satisfy the invariants in
``assert_orders_consistent``, and no order may be lost.

Each example runs in its own savepoint, rolled back at the end, so examples never see
each other's orders. The default run takes well under a minute; for a longer hunt set
``MINHU_PROPERTY_EXAMPLES`` (say 500). Bugs the machine found are pinned down by the
deterministic regression tests at the end of this file.
"""

import os
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.db.models import Q
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)

from minhu.accounts.models import User
from minhu.core import clock
from minhu.core.errors import MinhuError
from minhu.orders.actions import (
    Intake,
    do_answer_directly,
    do_attach,
    do_callback,
    do_citizen_reopen,
    do_dispatch,
    do_escalate,
    do_forward,
    do_mark_unreasonable,
    do_merge,
    do_reassign,
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
    sweep_deadlines,
)
from minhu.orders.models import (
    Assignment,
    Attachment,
    Callback,
    ExtensionRequest,
    ReturnRequest,
    TimelineEvent,
    Urging,
    WorkOrder,
)
from minhu.orders.states import (
    ACTIVE_ASSIGNMENT_STATES,
    FINAL_STATES,
    OPEN_STATES,
    AssignmentRole,
    AssignmentState,
    CloseReason,
    State,
)
from minhu.orders.transitions import TRANSITIONS
from minhu.org.kinds import UnitKind
from minhu.org.models import Unit

CITY_TZ = ZoneInfo("Asia/Shanghai")
S = State
A = AssignmentState

# --- The cast ------------------------------------------------------------------------

CENTRE_STAFF = ("agent1", "agent2", "dispatcher1", "dispatcher2", "supervisor1", "callback1",
                "callback2", "leader1", "evaluator1", "dc_dispatcher", "xh_dispatcher")
# Units that may end up holding an assignment; everyone working there takes part.
HANDLING_UNITS = ("DC01", "DC02", "DC", "DC0101", "DC010101", "XH01", "CGJ", "HBJ", "WATER",
                  "DC-CGJ")
OTHER_UNITS = ("YZ12345", "DC-FZX", "XH-FZX", "NS-FZX", "XH0101")


class Cast:
    """The people and units the machine picks from, loaded once for the whole run."""

    def __init__(self):
        users = (User.objects.select_related("unit")
                 .filter(Q(username__in=CENTRE_STAFF) | Q(unit__code__in=HANDLING_UNITS))
                 .order_by("username"))
        self.staff = list(users)
        for user in self.staff:
            _ = user.roles  # cache the roles: the people do not change during the run
        missing = set(CENTRE_STAFF) - {u.username for u in self.staff}
        assert not missing, f"demo accounts missing: {sorted(missing)}"
        self.units = {u.code: u for u in Unit.objects.filter(
            code__in=HANDLING_UNITS + OTHER_UNITS)}
        assert set(self.units) == set(HANDLING_UNITS + OTHER_UNITS)

    def unit_pk(self, code):
        return self.units[code].pk if code else None

    def actor(self, action: str, order: WorkOrder | None, who: tuple[str, int]):
        """Someone to attempt ``action``: ``right`` (the role, and the unit or sub-centre
        the order is with), ``wrong_role``, ``wrong_unit`` (the role, elsewhere) or
        ``anyone`` at all."""
        kind, pick = who
        roles = TRANSITIONS[action].roles
        holders = [u for u in self.staff if u.has_role(*roles)]
        right = self._right(action, holders, order)
        if kind == "right":
            pool = right or holders
        elif kind == "wrong_role":
            pool = [u for u in self.staff if not u.has_role(*roles)]
        elif kind == "wrong_unit":
            pool = [u for u in holders if u not in right] or holders
        else:
            pool = self.staff
        return pool[pick % len(pool)]

    def _right(self, action, holders, order):
        if order is None:
            return holders
        live = list(order.assignments.filter(state__in=ACTIVE_ASSIGNMENT_STATES)
                    .order_by("pk").values_list("unit_id", "role", "state"))
        # The unit most likely to be the one the action is for comes first.
        if action == "sign":
            live.sort(key=lambda row: (row[2] != A.PENDING_SIGN, row[1] != AssignmentRole.LEAD))
        elif action == "report_in":
            live.sort(key=lambda row: (row[1] != AssignmentRole.SUMMONED,
                                       row[2] != A.PENDING_SIGN))
        else:
            live.sort(key=lambda row: row[1] != AssignmentRole.LEAD)
        units = [row[0] for row in live] or [order.lead_unit_id]
        at_unit = [u for unit_id in units for u in holders if u.unit_id == unit_id]
        centre = [u for u in holders if u.unit.kind == UnitKind.CENTRE]
        sub_centre = [u for u in holders if u.unit.kind == UnitKind.SUB_CENTRE
                      and u.unit_id == order.dispatch_unit_id]
        return at_unit + centre + sub_centre


# --- Invariants ------------------------------------------------------------------------

LIVE = ACTIVE_ASSIGNMENT_STATES  # pending_sign, handling, returned
WORKING = (S.DISPATCHED, S.HANDLING, S.RETURN_REVIEW)


def assert_orders_consistent(pks, now) -> None:
    """Every invariant of the orders ``pks`` at platform time ``now``; reports all the
    problems at once.

    * The timeline is complete and monotonic: seq 1..n, ``at`` never goes back, it starts
      with ``register`` (``sub_created`` for a sub-order) from "", each event starts from
      the state the previous one ended in, the last ends in the order's state, and
      ``event_count`` is the number of events.
    * A closed top-level order has a reply and was closed by a reached callback, by a
      direct answer, or by the review of a dissatisfied callback (which has a callback).
    * A merged order's master exists and is not merged itself.
    * An open sub-order hangs under an order a unit is still working on.
    * At most one live lead (pending_sign / handling / returned); dispatched ⇒ it is
      pending_sign; handling ⇒ it is handling; return review ⇒ it is returned, with
      exactly one pending return request (its own); registered ⇒ no live assignment;
      closed / withdrawn / merged ⇒ none either; ``lead_unit`` is the live lead's unit.
    * Dispatched and handling orders have a deadline; an overdue flag means the deadline
      has passed.
    """
    pks = list(pks)
    orders = {o.pk: o for o in WorkOrder.objects.filter(pk__in=pks)}
    events = defaultdict(list)
    for e in (TimelineEvent.objects.filter(order_id__in=pks).order_by("order_id", "seq")
              .values("order_id", "seq", "at", "action", "from_state", "to_state")):
        events[e["order_id"]].append(e)
    assignments = defaultdict(list)
    for a in (Assignment.objects.filter(order_id__in=pks).order_by("pk")
              .values("order_id", "pk", "unit_id", "role", "state")):
        assignments[a["order_id"]].append(a)
    pending_returns = defaultdict(list)
    for r in ReturnRequest.objects.filter(order_id__in=pks, status="pending").values(
            "order_id", "assignment_id"):
        pending_returns[r["order_id"]].append(r["assignment_id"])
    reached = set(Callback.objects.filter(order_id__in=pks, reached=True)
                  .values_list("order_id", flat=True))
    master_ids = {o.master_id for o in orders.values() if o.master_id}
    masters = {m.pk: m for m in WorkOrder.objects.filter(pk__in=master_ids)}
    parent_states = dict(WorkOrder.objects.filter(
        pk__in={o.parent_id for o in orders.values() if o.parent_id}).values_list("pk", "state"))

    problems = []
    for pk in pks:
        order = orders.get(pk)
        if order is None:
            problems.append(f"order #{pk} has disappeared")
            continue
        say = problems.append
        name = f"{order.number} [{order.state}]"

        # The timeline is complete and monotonic.
        evs = events[pk]
        if [e["seq"] for e in evs] != list(range(1, len(evs) + 1)):
            say(f"{name}: timeline seq {[e['seq'] for e in evs]} has gaps")
        if order.event_count != len(evs):
            say(f"{name}: event_count {order.event_count} but {len(evs)} events")
        if not evs:
            say(f"{name}: no timeline at all")
            continue
        first = "sub_created" if order.parent_id else "register"
        if (evs[0]["action"], evs[0]["from_state"]) != (first, ""):
            say(f"{name}: timeline starts with {evs[0]['action']} from "
                f"{evs[0]['from_state']!r}, not {first} from ''")
        for prev, e in zip(evs, evs[1:], strict=False):
            if e["at"] < prev["at"]:
                say(f"{name}: event {e['seq']} ({e['action']}) is earlier than event "
                    f"{prev['seq']}")
            if e["from_state"] != prev["to_state"]:
                say(f"{name}: event {e['seq']} ({e['action']}) starts from "
                    f"{e['from_state']} but event {prev['seq']} ({prev['action']}) "
                    f"ended in {prev['to_state']}")
        if evs[-1]["to_state"] != order.state:
            say(f"{name}: last event {evs[-1]['action']} ends in {evs[-1]['to_state']}")

        # Closing and merging.
        if order.state == S.CLOSED and not order.parent_id:
            if not order.reply_text.strip():
                say(f"{name}: closed without a reply")
            if order.close_reason not in (CloseReason.CALLBACK, CloseReason.DIRECT,
                                          CloseReason.REVIEWED):
                say(f"{name}: closed for reason {order.close_reason!r}")
            if order.close_reason != CloseReason.DIRECT and pk not in reached:
                say(f"{name}: closed ({order.close_reason}) without a reached callback")
        if order.state == S.MERGED:
            master = masters.get(order.master_id)
            if master is None:
                say(f"{name}: merged without a master")
            elif master.state == S.MERGED or master.master_id:
                say(f"{name}: merged into {master.number}, which is merged itself")

        # Sub-orders: an open one hangs under an order some unit is still working on
        # (answering, closing, withdrawing or merging the parent recalls it).
        if (order.parent_id and order.state not in FINAL_STATES
                and parent_states.get(order.parent_id) not in WORKING):
            say(f"{name}: still open under a parent in state "
                f"{parent_states.get(order.parent_id)}")

        # Assignments.
        rows = assignments[pk]
        live = [a for a in rows if a["state"] in LIVE]
        leads = [a for a in live if a["role"] == AssignmentRole.LEAD]
        lead = leads[0] if len(leads) == 1 else None
        if len(leads) > 1:
            say(f"{name}: {len(leads)} live leads")
        if order.state == S.DISPATCHED and (lead is None or lead["state"] != A.PENDING_SIGN):
            say(f"{name}: dispatched but the live lead is {lead}")
        if order.state == S.HANDLING and (lead is None or lead["state"] != A.HANDLING):
            say(f"{name}: handling but the live lead is {lead}")
        if order.state == S.RETURN_REVIEW:
            if len(pending_returns[pk]) != 1:
                say(f"{name}: {len(pending_returns[pk])} pending return requests")
            if lead is None or lead["state"] != A.RETURNED:
                say(f"{name}: under return review but the live lead is {lead}")
            elif pending_returns[pk] and pending_returns[pk][0] != lead["pk"]:
                say(f"{name}: the pending return is not the lead's")
        if order.state == S.REGISTERED and live:
            say(f"{name}: registered but has live assignments {live}")
        if order.state in FINAL_STATES and live:
            say(f"{name}: final but has live assignments {live}")
        if lead is not None and order.lead_unit_id != lead["unit_id"]:
            say(f"{name}: lead_unit {order.lead_unit_id} but the live lead is at "
                f"unit {lead['unit_id']}")

        # The clock.
        if order.state in (S.DISPATCHED, S.HANDLING) and order.due_at is None:
            say(f"{name}: no deadline")
        if order.is_overdue and (order.due_at is None or order.due_at > now):
            say(f"{name}: flagged overdue at {now} but due {order.due_at}")

    assert not problems, "\n".join(problems)


# --- The machine -----------------------------------------------------------------------

# Rows hanging off an order; a refused action must not add any (one query for them all).
SIDE_TABLES = (TimelineEvent, ReturnRequest, ExtensionRequest, Callback, Urging, Attachment)


def _row_counts(pks) -> tuple:
    marks = ", ".join(["%s"] * len(pks)) or "NULL"
    counts = [f"(SELECT COUNT(*) FROM {model._meta.db_table} WHERE order_id IN ({marks}))"
              for model in SIDE_TABLES]
    counts.append(f"(SELECT COUNT(*) FROM {WorkOrder._meta.db_table})")
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(counts), list(pks) * len(SIDE_TABLES))
        return tuple(cursor.fetchone())


REFUSED = object()


def mostly(*good, bad=()):
    """Pick from ``good`` four times as often as from ``bad`` (good ones shrink first)."""
    return st.sampled_from(list(good) * 4 + list(bad))


WHO = st.tuples(mostly("right", bad=("wrong_role", "wrong_unit", "anyone")), st.integers(0, 5))
MOSTLY_RIGHT = st.tuples(mostly("right", bad=("wrong_unit",)), st.integers(0, 3))
GOOD_NOTE = "已联系诉求人并现场核实情况"
NOTES = mostly(GOOD_NOTE, "情况属实，已协调处置", bad=("核实", "", "   "))
GAPS = st.one_of(
    st.integers(1, 240).map(lambda m: timedelta(minutes=m)),
    st.integers(1, 72).map(lambda h: timedelta(hours=h)),
    st.integers(1, 12).map(lambda d: timedelta(days=d)),
)
LEADS = mostly("DC01", "DC02", "DC", "CGJ", "DC0101", "WATER", "XH01", "DC-CGJ",
               bad=("YZ12345", "DC-FZX"))
CO_UNITS = st.lists(st.sampled_from(("CGJ", "HBJ", "WATER", "DC02", "DC-CGJ", "DC01")),
                    max_size=2)
# Across the whole run, for the check that the walks got somewhere (and for debugging):
REACHED: Counter = Counter()  # states orders were seen in
DONE: Counter = Counter()  # actions that went through
REFUSALS: Counter = Counter()  # (action, error code) of refused attempts


def when_possible(action: str, *, orders: int = 1):
    """Offer the rule only while some order is in a state the table allows it from."""
    sources = TRANSITIONS[action].sources
    return precondition(lambda self: len(self.states) >= orders and any(
        s in sources for s in self.states.values()))


class ClosedLoop(RuleBasedStateMachine):
    orders = Bundle("orders")

    def __init__(self, cast: Cast):
        super().__init__()
        self.cast = cast
        self._savepoint = transaction.atomic()
        self._savepoint.__enter__()
        self.now = datetime(2025, 3, 3, 9, tzinfo=CITY_TZ)
        self.baseline = WorkOrder.objects.count()
        self.known: list[int] = []
        self.registered = 0
        self.sub_orders = 0
        self.states: dict[int, str] = {}

    def teardown(self):
        transaction.set_rollback(True)
        self._savepoint.__exit__(None, None, None)

    # -- plumbing -------------------------------------------------------------------

    def _snapshot(self):
        """What a refused action must leave alone. ``updated_at`` moves on every save of
        an order, so an order written to in any way shows up here."""
        pks = self.known
        orders = list(WorkOrder.objects.filter(pk__in=pks).order_by("pk").values_list(
            "pk", "state", "event_count", "updated_at", "lead_unit_id", "due_at", "master_id",
            "extension_status", "unreasonable"))
        assignments = list(Assignment.objects.filter(order_id__in=pks).order_by("pk")
                           .values_list("pk", "unit_id", "role", "state"))
        return orders, assignments, _row_counts(pks)

    def _refresh(self):
        self.states = dict(WorkOrder.objects.filter(pk__in=self.known)
                           .values_list("pk", "state"))
        REACHED.update(set(self.states.values()))

    def _attempt(self, label: str, call):
        """Run one action at the pinned time; a refusal must change nothing at all."""
        before = self._snapshot()
        with clock.pinned(self.now):
            try:
                result = call()
            except MinhuError as exc:
                after = self._snapshot()
                assert after == before, f"refused {label} ({exc.code}) still changed data"
                REFUSALS[(label, exc.code)] += 1
                return REFUSED
        DONE[label] += 1
        self._refresh()
        return result

    def _act(self, action: str, pk: int, who, call):
        order = WorkOrder.objects.get(pk=pk)
        actor = self.cast.actor(action, order, who)
        return self._attempt(action, lambda: call(order, actor))

    def _unit(self, code):
        return self.cast.unit_pk(code)

    # -- time -----------------------------------------------------------------------

    @initialize(target=orders,
                start=st.datetimes(min_value=datetime(2025, 1, 1),
                                   max_value=datetime(2025, 12, 1)),
                walks=st.lists(st.lists(st.tuples(st.integers(0, 7), GAPS), max_size=6),
                               min_size=1, max_size=3))
    def a_few_orders_are_under_way(self, start, walks):
        """Start the clock, then register an order per walk and take it some way round
        the loop (the usual steps, done by the right people), so that every example
        begins with orders spread over the states. A walk that makes a sub-order goes on
        with the sub-order."""
        self.now = start.replace(tzinfo=CITY_TZ)
        made = []
        for walk in walks:
            # Consultations can also be answered on the spot (choice 0 on a new order).
            kind = "consult" if len(walk) % 2 else "complaint"
            order = self.register(("right", 0), kind, "normal", "DC0101",
                                  "小区门口流动摊贩占道经营，晚上油烟很大", None, None)
            assert isinstance(order, int), "a valid registration was refused"
            made.append(order)
            for choice, gap in walk:
                self.now += gap
                child = self._next_step(order, ("right", 0), choice)
                if child is not None:
                    made.append(child)
                    order = child
        return multiple(*made)

    @rule(by=GAPS)
    def time_passes(self, by):
        self.now += by

    @precondition(lambda self: self.states)
    @rule()
    def deadline_sweep_runs(self):
        with clock.pinned(self.now):
            sweep_deadlines()
        self._refresh()

    # -- intake ---------------------------------------------------------------------

    @rule(target=orders, who=WHO,
          request_type=mostly("complaint", "consult", "help", "report", bad=("bogus",)),
          urgency=mostly("normal", "urgent", "pressing", "complex", bad=("bogus",)),
          area=mostly("DC0101", "DC010101", "DC01", "XH0101", None, bad=("NOWHERE",)),
          content=mostly("小区门口流动摊贩占道经营，晚上油烟很大", bad=("",)),
          external_id=mostly(None, None, None, "WX-1", "WX-2"),
          answer=mostly(None, None, None, "可登录政务服务网在线办理"))
    def register(self, who, request_type, urgency, area, content, external_id, answer):
        actor = self.cast.actor("register", None, who)
        intake = Intake(content=content, request_type=request_type, urgency=urgency,
                        community=area, category="CG02", citizen_name="李红",
                        citizen_phone="13900001111", external_id=external_id,
                        channel="wechat" if external_id else "phone")
        result = self._attempt(
            "register", lambda: do_register(actor, intake, answer=answer))
        if result is REFUSED:
            return multiple()
        order, created = result
        if not created:
            assert order.pk in self.known, "a repeated external id found a foreign order"
            return multiple()
        self.registered += 1
        self.known.append(order.pk)
        self._refresh()
        return order.pk

    @when_possible("answer_directly")
    @rule(order=orders, who=WHO, text=NOTES)
    def answer_directly(self, order, who, text):
        self._act("answer_directly", order, who,
                  lambda o, a: do_answer_directly(o, a, text))

    @when_possible("withdraw")
    @rule(order=orders, who=WHO, reason=NOTES)
    def withdraw(self, order, who, reason):
        self._act("withdraw", order, who, lambda o, a: do_withdraw(o, a, reason))

    @when_possible("citizen_reopen")
    @rule(order=orders, who=WHO, reason=NOTES)
    def citizen_reopen(self, order, who, reason):
        self._act("citizen_reopen", order, who, lambda o, a: do_citizen_reopen(o, a, reason))

    # -- dispatch desk --------------------------------------------------------------

    @when_possible("forward")
    @rule(order=orders, who=WHO, to=st.sampled_from(("DC-FZX", "XH-FZX", "NS-FZX", "DC01")))
    def forward(self, order, who, to):
        self._act("forward", order, who, lambda o, a: do_forward(o, a, self._unit(to)))

    @when_possible("dispatch")
    @rule(order=orders, who=WHO, lead=LEADS, co=CO_UNITS,
          urgency=mostly(None, None, "urgent", "complex", bad=("bogus",)))
    def dispatch(self, order, who, lead, co, urgency):
        self._act("dispatch", order, who, lambda o, a: do_dispatch(
            o, a, self._unit(lead), [self._unit(c) for c in co], urgency=urgency))

    @when_possible("reassign")
    @rule(order=orders, who=WHO, lead=LEADS, co=CO_UNITS, reason=NOTES)
    def reassign(self, order, who, lead, co, reason):
        self._act("reassign", order, who, lambda o, a: do_reassign(
            o, a, self._unit(lead), [self._unit(c) for c in co], reason=reason))

    @when_possible("review_return")
    @rule(order=orders, who=WHO, approve=st.booleans(),
          lead=mostly(None, "DC02", "CGJ", "DC01", bad=("YZ12345",)), note=NOTES)
    def review_return(self, order, who, approve, lead, note):
        self._act("review_return", order, who, lambda o, a: do_review_return(
            o, a, approve=approve, note=note, lead_unit=self._unit(lead)))

    @when_possible("review_extension")
    @rule(order=orders, who=WHO, approve=st.booleans(), note=NOTES)
    def review_extension(self, order, who, approve, note):
        self._act("review_extension", order, who,
                  lambda o, a: do_review_extension(o, a, approve=approve, note=note))

    @when_possible("merge", orders=2)
    @rule(order=orders, master=orders, who=WHO, note=NOTES)
    def merge(self, order, master, who, note):
        number = WorkOrder.objects.values_list("number", flat=True).get(pk=master)
        self._act("merge", order, who, lambda o, a: do_merge(o, a, number, note))

    # -- unit inbox -----------------------------------------------------------------

    @when_possible("sign")
    @rule(order=orders, who=WHO)
    def sign(self, order, who):
        self._act("sign", order, who, lambda o, a: do_sign(o, a))

    @when_possible("return")
    @rule(order=orders, who=WHO, reason=NOTES, suggest=st.sampled_from((None, "DC02")))
    def return_order(self, order, who, reason, suggest):
        self._act("return", order, who,
                  lambda o, a: do_return(o, a, reason, self._unit(suggest)))

    @when_possible("report_up")
    @rule(order=orders, who=WHO, reason=NOTES)
    def report_up(self, order, who, reason):
        self._act("report_up", order, who, lambda o, a: do_report_up(o, a, reason))

    @when_possible("sub_dispatch")
    @rule(target=orders, order=orders, who=WHO,
          to=mostly("DC0101", "DC010101", "DC01", bad=("DC02", "CGJ", "XH0101")),
          note=NOTES, due_in=mostly(None, None, timedelta(hours=4), timedelta(days=30),
                                    bad=(timedelta(hours=-1),)))
    def sub_dispatch(self, order, who, to, note, due_in):
        due = self.now + due_in if due_in is not None else None
        child = self._act("sub_dispatch", order, who, lambda o, a: do_sub_dispatch(
            o, a, self._unit(to), note, due_at=due))
        if child is REFUSED:
            return multiple()
        self.sub_orders += 1
        self.known.append(child.pk)
        self._refresh()
        return child.pk

    @when_possible("summon")
    @rule(order=orders, who=WHO,
          units=st.lists(mostly("CGJ", "HBJ", "WATER", "DC-CGJ", bad=("DC02",)), max_size=3),
          note=NOTES)
    def summon(self, order, who, units, note):
        self._act("summon", order, who,
                  lambda o, a: do_summon(o, a, [self._unit(u) for u in units], note))

    @when_possible("report_in")
    @rule(order=orders, who=WHO)
    def report_in(self, order, who):
        self._act("report_in", order, who, lambda o, a: do_report_in(o, a, "已到场"))

    @when_possible("request_extension")
    @rule(order=orders, who=WHO, amount=st.integers(0, 40),
          unit=mostly("days", "hours", "workdays", bad=("weeks",)), reason=NOTES)
    def request_extension(self, order, who, amount, unit, reason):
        self._act("request_extension", order, who,
                  lambda o, a: do_request_extension(o, a, amount, unit, reason))

    @when_possible("reply")
    @rule(order=orders, who=WHO, text=NOTES, solved=st.booleans())
    def reply(self, order, who, text, solved):
        self._act("reply", order, who, lambda o, a: do_reply(o, a, text, solved=solved))

    # -- callback and supervision ---------------------------------------------------

    @when_possible("callback")
    @rule(order=orders, who=WHO, reached=st.booleans(),
          resolved=mostly("yes", "partly", "no", bad=("",)),
          satisfaction=mostly("satisfied", "basic", "dissatisfied", bad=("",)),
          scores=mostly({}, {"attitude": 5}, bad=({"attitude": 9}, {"bogus": 3})))
    def callback(self, order, who, reached, resolved, satisfaction, scores):
        self._act("callback", order, who, lambda o, a: do_callback(
            o, a, reached=reached, resolved=resolved, satisfaction=satisfaction,
            scores=scores))

    @when_possible("review_dissatisfaction")
    @rule(order=orders, who=WHO, reopen=st.booleans(), note=NOTES)
    def review_dissatisfaction(self, order, who, reopen, note):
        self._act("review_dissatisfaction", order, who,
                  lambda o, a: do_review_dissatisfaction(o, a, reopen=reopen, note=note))

    @when_possible("urge")
    @rule(order=orders, who=WHO,
          kind=mostly("phone", "notice", "interview", bad=("system",)), note=NOTES)
    def urge(self, order, who, kind, note):
        self._act("urge", order, who, lambda o, a: do_urge(o, a, kind, note))

    @when_possible("supervise")
    @rule(order=orders, who=WHO, note=NOTES)
    def supervise(self, order, who, note):
        self._act("supervise", order, who, lambda o, a: do_supervise(o, a, note))

    @when_possible("escalate")
    @rule(order=orders, who=WHO,
          to=st.sampled_from(("DC", "CGJ", "DC01", "DC02", "DC-CGJ", "DC0101")), note=NOTES)
    def escalate(self, order, who, to, note):
        self._act("escalate", order, who,
                  lambda o, a: do_escalate(o, a, self._unit(to), note))

    @when_possible("mark_unreasonable")
    @rule(order=orders, who=WHO, reason=NOTES)
    def mark_unreasonable(self, order, who, reason):
        self._act("mark_unreasonable", order, who,
                  lambda o, a: do_mark_unreasonable(o, a, reason))

    @when_possible("review_unreasonable")
    @rule(order=orders, who=WHO, approve=st.booleans(), note=NOTES)
    def review_unreasonable(self, order, who, approve, note):
        self._act("review_unreasonable", order, who,
                  lambda o, a: do_review_unreasonable(o, a, approve=approve, note=note))

    @when_possible("attach")
    @rule(order=orders, who=WHO,
          upload=mostly(("现场照片.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32),
                        ("整改报告.pdf", b"%PDF-1.4\n%%EOF\n"),
                        bad=(("工具.exe", b"MZ\x90\x00"), ("改名的照片.png", b"GIF89a\x00"),
                             ("空白.png", b""))))
    def attach(self, order, who, upload):
        name, body = upload
        self._act("attach", order, who,
                  lambda o, a: do_attach(o, a, SimpleUploadedFile(name, body)))

    # -- the usual next steps, so that walks get deep into the loop ---------------

    @precondition(lambda self: any(s in OPEN_STATES or s == S.CLOSED
                                   for s in self.states.values()))
    @rule(target=orders, order=orders, who=MOSTLY_RIGHT,
          choices=st.lists(st.integers(0, 7), min_size=1, max_size=5))
    def next_steps(self, order, who, choices):
        """Take the order through whatever usually comes next, one step per choice, and
        check the invariants after each step. Returns the sub-orders it made."""
        children = []
        for choice in choices:
            child = self._next_step(order, who, choice)
            if isinstance(child, int):
                children.append(child)
            self.every_order_is_consistent()
        return multiple(*children)

    def _next_step(self, order, who, choice):
        state = self.states.get(order)
        if state == S.REGISTERED:
            if choice == 0:
                self.answer_directly(order, who, GOOD_NOTE)
            else:
                lead = ("DC01", "DC01", "DC", "CGJ", "DC02", "DC01", "DC0101")[choice - 1]
                self.dispatch(order, who, lead, ["CGJ"] if choice == 2 else [], None)
        elif state == S.DISPATCHED:
            if choice == 6:
                self.return_order(order, who, GOOD_NOTE, None)
            elif choice == 7:
                self.escalate(order, who, "DC", GOOD_NOTE)
            else:
                self.sign(order, who)
        elif state == S.HANDLING:
            if choice == 4:
                self.report_up(order, who, GOOD_NOTE)
            elif choice == 5:
                self.summon(order, who, ["CGJ"], GOOD_NOTE)
            elif choice == 6:
                lead = WorkOrder.objects.get(pk=order).lead_unit.code
                below = {"DC": "DC01", "DC01": "DC0101", "DC0101": "DC010101"}
                child = self.sub_dispatch(order, who, below.get(lead, "DC0101"), GOOD_NOTE,
                                          None)
                return child if isinstance(child, int) else None
            elif choice == 7:
                self.report_in(order, who)
            else:
                self.reply(order, who, GOOD_NOTE, choice != 3)
        elif state == S.RETURN_REVIEW:
            self.review_return(order, who, choice % 2 == 0, (None, "DC02", "CGJ")[choice % 3],
                               GOOD_NOTE)
        elif state == S.REPLIED:
            satisfaction = ("satisfied", "basic", "dissatisfied", "dissatisfied")[choice % 4]
            self.callback(order, who, choice != 5, "yes", satisfaction, {})
        elif state == S.DISSATISFIED_REVIEW:
            self.review_dissatisfaction(order, who, choice % 2 == 0, GOOD_NOTE)
        elif state == S.CLOSED:
            self.citizen_reopen(order, who, GOOD_NOTE)
        return None

    # -- invariants -----------------------------------------------------------------

    @invariant()
    def no_order_is_lost(self):
        assert WorkOrder.objects.filter(pk__in=self.known).count() == len(self.known)
        assert (WorkOrder.objects.count() - self.baseline
                == self.registered + self.sub_orders == len(set(self.known)))

    @invariant()
    def every_order_is_consistent(self):
        assert_orders_consistent(self.known, self.now)


# A longer hunt: MINHU_PROPERTY_EXAMPLES=500 pytest this file.
SETTINGS = settings(
    max_examples=int(os.environ.get("MINHU_PROPERTY_EXAMPLES", "50")),
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def test_random_walks_through_the_closed_loop_keep_every_order_consistent(
        city, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # attachments land here, not in the data directory
    cast = Cast()
    REACHED.clear()
    DONE.clear()
    REFUSALS.clear()
    run_state_machine_as_test(lambda: ClosedLoop(cast), settings=SETTINGS)
    # The walks must get somewhere: a machine whose every attempt is refused would pass
    # vacuously.
    assert {S.REGISTERED, S.DISPATCHED, S.HANDLING, S.REPLIED, S.CLOSED} <= set(REACHED), (
        REACHED)
    assert {"register", "dispatch", "sign", "reply", "callback"} <= set(DONE), DONE
    assert REFUSALS, "nothing was ever refused: the machine is not trying wrong moves"


# --- Regressions found by the machine --------------------------------------------------


def _assignments(order):
    return sorted(order.assignments.values_list("unit__code", "role", "state"))


def test_sub_order_reported_up_leaves_no_summoned_department_waiting(city, dispatched_order):
    """Found by the machine: district → street sub-order, the street summons a department,
    then reports the sub-order up. The sub-order closed with the summons still
    ``pending_sign``, so the department was left waiting on a closed order."""
    district, street = city.user("dc_handler"), city.street_handler
    order = dispatched_order(lead="DC")
    do_sign(order, district)
    child = do_sub_dispatch(order, district, city.unit("DC01").pk, "请街道牵头处置")
    do_sign(child, street)
    do_summon(child, street, [city.unit("CGJ").pk], "请城管局到场执法")
    do_report_up(child, street, "涉及多个部门，需区里统一协调")
    child.refresh_from_db()
    assert child.state == S.CLOSED
    assert not child.assignments.filter(state__in=LIVE).exists(), _assignments(child)
    assert_orders_consistent([order.pk, child.pk], clock.now())


def test_sub_order_reported_up_leaves_no_former_lead_waiting(city, dispatched_order):
    """The same through escalation: the community's sub-order is escalated to the street
    (the community stays on as co-handler, not yet signed) and the street reports it up."""
    street = city.street_handler
    order = dispatched_order(lead="DC01")
    do_sign(order, street)
    child = do_sub_dispatch(order, street, city.unit("DC0101").pk, "请社区上门核实")
    do_escalate(child, city.supervisor, city.unit("DC01").pk, "社区无力处置，提级由街道办理")
    do_sign(child, street)
    do_report_up(child, street, "需区里协调多个部门")
    child.refresh_from_db()
    assert child.state == S.CLOSED
    assert not child.assignments.filter(state__in=LIVE).exists(), _assignments(child)
    assert_orders_consistent([order.pk, child.pk], clock.now())


def _street_sub_order_with_a_community_sub_order(city, dispatched_order):
    """District DC leads; its street DC01 holds a sub-order and has passed part of it down
    to community DC0101. Returns (order, street's sub-order, community's sub-order)."""
    district, street = city.user("dc_handler"), city.street_handler
    order = dispatched_order(lead="DC")
    do_sign(order, district)
    child = do_sub_dispatch(order, district, city.unit("DC01").pk, "请街道牵头处置")
    do_sign(child, street)
    grandchild = do_sub_dispatch(child, street, city.unit("DC0101").pk, "请社区上门核实")
    return order, child, grandchild


def test_sub_order_answered_recalls_its_own_sub_orders(city, dispatched_order):
    """Found by the machine: a street answered its sub-order while the community's
    sub-order below it was still open; the community's part stayed open for good under
    a closed sub-order (the top-level reply already recalls sub-orders)."""
    order, child, grandchild = _street_sub_order_with_a_community_sub_order(
        city, dispatched_order)
    do_reply(child, city.street_handler, "街道已协调城管现场处置", solved=True)
    grandchild.refresh_from_db()
    assert grandchild.state == S.CLOSED
    assert grandchild.close_reason == CloseReason.RECALLED
    assert_orders_consistent([order.pk, child.pk, grandchild.pk], clock.now())


def test_sub_order_reported_up_recalls_its_own_sub_orders(city, dispatched_order):
    """The same when the street reports its sub-order up instead of answering it."""
    order, child, grandchild = _street_sub_order_with_a_community_sub_order(
        city, dispatched_order)
    do_report_up(child, city.street_handler, "涉及多个部门，需区里统一协调")
    grandchild.refresh_from_db()
    assert grandchild.state == S.CLOSED
    assert grandchild.close_reason == CloseReason.RECALLED
    assert_orders_consistent([order.pk, child.pk, grandchild.pk], clock.now())
