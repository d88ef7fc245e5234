"""The transition table, checked against the real actions.

For every rule in ``transitions.RULES``:

* in every state outside its sources the action is refused with a ``TransitionError``
  whose Chinese message names the order's current state;
* an actor without one of the rule's roles is refused with ``Forbidden``;
* one allowed call succeeds, writes exactly one new timeline event named after the
  action on the order, and leaves the order in one of the rule's target states.

Orders are driven into each state with the ``do_*`` functions themselves
(``order_in_state``), never by writing ``WorkOrder.state`` directly.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from minhu.core.errors import Forbidden, MinhuError, NotFound, TransitionError
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
    do_unmerge,
    do_urge,
    do_withdraw,
)
from minhu.orders.models import TimelineEvent, WorkOrder
from minhu.orders.states import State
from minhu.orders.transitions import RULES, TRANSITIONS

S = State
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

# Staff who between them hold every role but admin; used to find actors lacking a role.
STAFF = ("agent1", "dispatcher1", "supervisor1", "callback1", "dc01_handler", "dc01_leader",
         "leader1", "evaluator1")


class Kit:
    """What the cases below need: people, units, fresh orders and orders in a given state."""

    def __init__(self, city, new_order):
        self.city = city
        self.new_order = new_order

    def user(self, username):
        return self.city.user(username)

    def unit(self, code):
        return self.city.unit(code)

    def order_in_state(self, state: str, **fields) -> WorkOrder:
        """A new order brought into ``state`` by the real actions (lead unit DC01)."""
        city = self.city
        order = self.new_order(**fields)
        if state == S.REGISTERED:
            return _fresh(order)
        if state == S.WITHDRAWN:
            return _fresh(do_withdraw(order, city.agent, "诉求人来电表示问题已自行解决"))
        if state == S.MERGED:
            master = self.new_order()
            return _fresh(do_merge(order, city.dispatcher, master.number, "同一问题多人反映"))
        order = do_dispatch(order, city.dispatcher, city.unit("DC01").pk)
        if state == S.DISPATCHED:
            return _fresh(order)
        if state == S.RETURN_REVIEW:
            return _fresh(do_return(order, city.street_handler, "该路段不在本街道管辖范围内"))
        order = do_sign(order, city.street_handler)
        if state == S.HANDLING:
            return _fresh(order)
        order = do_reply(order, city.street_handler, "已联系店主整改，油烟净化器已加装",
                         solved=True)
        if state == S.REPLIED:
            return _fresh(order)
        if state == S.DISSATISFIED_REVIEW:
            return _fresh(do_callback(order, city.callback_agent, reached=True, resolved="no",
                                      satisfaction="dissatisfied", note="晚上仍有噪音"))
        if state == S.CLOSED:
            return _fresh(do_callback(order, city.callback_agent, reached=True, resolved="yes",
                                      satisfaction="satisfied"))
        raise AssertionError(f"no recipe for state {state!r}")


def _fresh(order: WorkOrder) -> WorkOrder:
    return WorkOrder.objects.get(pk=order.pk)


@dataclass(frozen=True)
class Case:
    """How to call one action: who may, how, from which state, and what it needs first."""

    actor: str
    call: Callable  # (kit, order, actor) -> result
    state: str | None  # a state the allowed call starts from (None: register)
    fields: dict = field(default_factory=dict)  # overrides for the order's intake
    prepare: Callable | None = None  # (kit, order) -> None, run before the allowed call


def _register(kit, order, actor):
    created, _ = do_register(actor, Intake(content="咨询公积金提取需要哪些材料",
                                           request_type="consult", citizen_phone="13900001111"))
    return created


def _summon_cgj(kit, order):
    do_summon(order, kit.user("dc01_handler"), [kit.unit("CGJ").pk], "请城管局到场执法")


def _ask_extension(kit, order):
    do_request_extension(order, kit.user("dc01_handler"), 3, "days", "需协调多个部门现场会商")


def _mark(kit, order):
    do_mark_unreasonable(order, kit.user("agent1"), "同一诉求人一周内重复来电二十余次")


CASES: dict[str, Case] = {
    "register": Case("agent1", _register, None),
    "answer_directly": Case(
        "agent1", lambda k, o, a: do_answer_directly(o, a, "可携带身份证到政务服务中心办理"),
        S.REGISTERED, fields={"request_type": "consult"}),
    "forward": Case(
        "dispatcher1", lambda k, o, a: do_forward(o, a, k.unit("DC-FZX").pk, "交东城区分中心"),
        S.REGISTERED),
    "dispatch": Case(
        "dispatcher1", lambda k, o, a: do_dispatch(o, a, k.unit("DC01").pk), S.REGISTERED),
    "sign": Case("dc01_handler", lambda k, o, a: do_sign(o, a), S.DISPATCHED),
    "return": Case(
        "dc01_handler", lambda k, o, a: do_return(o, a, "该路段不在本街道管辖范围内"),
        S.DISPATCHED),
    "report_up": Case(
        "dc01_handler", lambda k, o, a: do_report_up(o, a, "涉及跨区协调，本级无法解决"),
        S.HANDLING),
    "review_return": Case(
        "dispatcher1",
        lambda k, o, a: do_review_return(o, a, approve=True, lead_unit=k.unit("DC02").pk,
                                         note="改派属地街道"),
        S.RETURN_REVIEW),
    "reassign": Case(
        "dispatcher1",
        lambda k, o, a: do_reassign(o, a, k.unit("DC02").pk, reason="地址核实后属于朝阳街道"),
        S.DISPATCHED),
    "sub_dispatch": Case(
        "dc01_handler",
        lambda k, o, a: do_sub_dispatch(o, a, k.unit("DC0101").pk, "请社区上门核实"),
        S.HANDLING),
    "summon": Case(
        "dc01_handler", lambda k, o, a: do_summon(o, a, [k.unit("CGJ").pk], "请城管局到场执法"),
        S.HANDLING),
    "report_in": Case("cgj_handler", lambda k, o, a: do_report_in(o, a, "已到场"), S.HANDLING,
                      prepare=_summon_cgj),
    "request_extension": Case(
        "dc01_handler",
        lambda k, o, a: do_request_extension(o, a, 3, "days", "需协调多个部门现场会商"),
        S.HANDLING),
    "review_extension": Case(
        "dispatcher1", lambda k, o, a: do_review_extension(o, a, approve=True, note="同意"),
        S.HANDLING, prepare=_ask_extension),
    "reply": Case(
        "dc01_handler",
        lambda k, o, a: do_reply(o, a, "已联系店主整改，油烟净化器已加装", solved=True),
        S.HANDLING),
    "callback": Case(
        "callback1",
        lambda k, o, a: do_callback(o, a, reached=True, resolved="yes", satisfaction="satisfied"),
        S.REPLIED),
    "review_dissatisfaction": Case(
        "supervisor1",
        lambda k, o, a: do_review_dissatisfaction(o, a, reopen=True, note="整改不到位，重办"),
        S.DISSATISFIED_REVIEW),
    "urge": Case("supervisor1", lambda k, o, a: do_urge(o, a, "phone", "请尽快办理"),
                 S.DISPATCHED),
    "supervise": Case("supervisor1", lambda k, o, a: do_supervise(o, a, "同一问题反复投诉"),
                      S.HANDLING),
    "escalate": Case(
        "supervisor1", lambda k, o, a: do_escalate(o, a, k.unit("DC").pk, "街道协调无果，提级"),
        S.HANDLING),
    "merge": Case(
        "dispatcher1", lambda k, o, a: do_merge(o, a, k.new_order().number, "同一问题多人反映"),
        S.REGISTERED),
    "unmerge": Case("dispatcher1", lambda k, o, a: do_unmerge(o, a, "并错了：不是同一问题"),
                    S.MERGED),
    "mark_unreasonable": Case(
        "agent1", lambda k, o, a: do_mark_unreasonable(o, a, "同一诉求人一周内重复来电二十余次"),
        S.HANDLING),
    "review_unreasonable": Case(
        "supervisor1", lambda k, o, a: do_review_unreasonable(o, a, approve=True, note="属实"),
        S.HANDLING, prepare=_mark),
    "withdraw": Case("agent1", lambda k, o, a: do_withdraw(o, a, "诉求人来电撤回"),
                     S.DISPATCHED),
    "attach": Case(
        "dc01_handler",
        lambda k, o, a: do_attach(o, a, SimpleUploadedFile("现场照片.png", PNG), purpose="reply"),
        S.HANDLING),
    "citizen_reopen": Case(
        "agent1", lambda k, o, a: do_citizen_reopen(o, a, "市民反映问题仍未解决"), S.CLOSED),
    "citizen_rate": Case("agent1", lambda k, o, a: _citizen_rate(o, a), S.REPLIED),
    "close_on_spot": Case("agent1", lambda k, o, a: _close_on_spot(k, o, a), S.REGISTERED,
                          fields={"channel": "grid"}),
}


def _close_on_spot(kit, order, actor):
    from minhu.patrol.actions import do_close_on_spot

    return do_close_on_spot(order, actor, worker=kit.user("dc010101_handler"),
                            note="井盖已复位并加装防坠网")


def _citizen_rate(order, actor):
    from minhu.orders.actions import do_citizen_rate

    return do_citizen_rate(order, actor, resolved="yes", satisfaction="satisfied")

WRONG_STATE_CASES = [
    pytest.param(rule.action, state, id=f"{rule.action}-in-{state}")
    for rule in RULES if rule.sources
    for state in State.values if state not in rule.sources
]


@pytest.fixture
def kit(city, new_order, settings, tmp_path) -> Kit:
    settings.MEDIA_ROOT = tmp_path  # attachments land here, not in the data directory
    return Kit(city, new_order)


def _events(order) -> list[TimelineEvent]:
    return list(TimelineEvent.objects.filter(order_id=order.pk).order_by("seq"))


# --- The table itself ---------------------------------------------------------------


def test_every_rule_has_a_case_here_and_every_case_a_rule():
    assert set(CASES) == set(TRANSITIONS)


def test_every_actor_used_here_holds_a_role_of_the_rule(kit):
    for action, case in CASES.items():
        assert kit.user(case.actor).has_role(*TRANSITIONS[action].roles), action


def test_every_rule_names_states_that_exist():
    for rule in RULES:
        assert set(rule.sources) <= set(State.values), rule.action
        assert set(rule.targets) <= set(State.values), rule.action


def test_only_registration_starts_without_an_order():
    assert [r.action for r in RULES if not r.sources] == ["register"]


@pytest.mark.parametrize("state", State.values)
def test_every_state_can_be_reached_with_the_real_actions(kit, state):
    order = kit.order_in_state(state)
    assert order.state == state
    events = _events(order)
    assert events[-1].to_state == state
    assert order.event_count == len(events)


# --- Refusals --------------------------------------------------------------------------


@pytest.mark.parametrize(("action", "state"), WRONG_STATE_CASES)
def test_an_action_is_refused_in_a_state_outside_its_sources(kit, action, state):
    case = CASES[action]
    order = kit.order_in_state(state, **case.fields)
    with pytest.raises(TransitionError) as refused:
        case.call(kit, order, kit.user(case.actor))
    message = refused.value.message
    assert f"“{State.label_of(state)}”" in message
    assert TRANSITIONS[action].label in message
    assert refused.value.code == "transition_not_allowed"
    after = _fresh(order)
    assert (after.state, after.event_count) == (order.state, order.event_count)


@pytest.mark.parametrize("action", list(TRANSITIONS))
def test_an_action_is_forbidden_to_every_role_the_table_does_not_name(kit, action):
    case = CASES[action]
    rule = TRANSITIONS[action]
    order = kit.order_in_state(case.state or S.REGISTERED, **case.fields)
    outsiders = [kit.user(name) for name in STAFF]
    outsiders = [u for u in outsiders if not u.has_role(*rule.roles)]
    assert outsiders, f"every sample user may {action}"
    orders_before = WorkOrder.objects.count()
    for outsider in outsiders:
        with pytest.raises(Forbidden) as refused:
            case.call(kit, order, outsider)
        assert refused.value.code == "role_not_allowed"
        assert rule.label in refused.value.message
    after = _fresh(order)
    assert (after.state, after.event_count) == (order.state, order.event_count)
    # Forbidden registrations create nothing; a refused merge may have made its master.
    assert WorkOrder.objects.count() - orders_before <= (len(outsiders)
                                                         if action == "merge" else 0)


# --- One allowed call per action -------------------------------------------------------


@pytest.mark.parametrize("action", list(TRANSITIONS))
def test_an_allowed_call_writes_exactly_one_event_named_after_the_action(kit, action):
    case = CASES[action]
    rule = TRANSITIONS[action]
    actor = kit.user(case.actor)
    if case.state is None:
        before_ids = set(WorkOrder.objects.values_list("pk", flat=True))
        order = case.call(kit, None, actor)
        assert order.pk not in before_ids
        events = _events(order)
        assert [(e.action, e.from_state, e.to_state) for e in events] == [
            ("register", "", S.REGISTERED)]
        assert _fresh(order).state in rule.targets
        return
    order = kit.order_in_state(case.state, **case.fields)
    if case.prepare:
        case.prepare(kit, order)
    order = _fresh(order)
    before = _events(order)
    case.call(kit, order, actor)
    after = _fresh(order)
    new = _events(after)[len(before):]
    assert [e.action for e in new] == [action]
    assert after.event_count == len(before) + 1
    event = new[0]
    assert event.seq == len(before) + 1
    assert (event.from_state, event.to_state) == (order.state, after.state)
    assert event.actor_id == actor.pk
    assert after.state in rule.targets


# --- The unit guard: the right role at the wrong unit -----------------------------------


def test_unit_cannot_sign_an_order_dispatched_elsewhere(kit, dispatched_order):
    order = dispatched_order(lead="DC01")
    with pytest.raises(NotFound):
        do_sign(order, kit.user("dc02_handler"))
    assert _fresh(order).state == S.DISPATCHED


def test_unit_cannot_return_an_order_dispatched_elsewhere(kit, dispatched_order):
    order = dispatched_order(lead="DC01")
    with pytest.raises(NotFound):
        do_return(order, kit.user("dc02_handler"), "该路段不在本街道管辖范围内")
    assert _fresh(order).state == S.DISPATCHED


def test_unit_cannot_reply_to_an_order_another_unit_is_handling(kit):
    order = kit.order_in_state(S.HANDLING)
    with pytest.raises(NotFound):
        do_reply(order, kit.user("cgj_handler"), "已处理", solved=True)
    assert _fresh(order).state == S.HANDLING


def test_co_handler_cannot_return_the_order_it_assists_on(kit, dispatched_order):
    order = dispatched_order(lead="DC01", co=("CGJ",))
    with pytest.raises(MinhuError):
        do_return(order, kit.user("cgj_handler"), "本局不是主办单位，申请退回")
    assert _fresh(order).state == S.DISPATCHED


def test_co_handler_signing_does_not_move_the_order(kit, dispatched_order):
    order = dispatched_order(lead="DC01", co=("CGJ",))
    do_sign(order, kit.user("cgj_handler"))
    after = _fresh(order)
    assert after.state == S.DISPATCHED
    assert _events(after)[-1].action == "sign"


def test_unit_cannot_sign_the_same_assignment_twice(kit):
    order = kit.order_in_state(S.HANDLING)
    with pytest.raises(TransitionError):
        do_sign(order, kit.user("dc01_handler"))


def test_department_not_summoned_cannot_report_in(kit):
    order = kit.order_in_state(S.HANDLING)
    _summon_cgj(kit, order)
    with pytest.raises(NotFound):
        do_report_in(order, kit.user("hbj_handler"))


def test_street_cannot_sub_dispatch_to_a_community_of_another_street(kit):
    order = kit.order_in_state(S.HANDLING)
    with pytest.raises(MinhuError) as refused:
        do_sub_dispatch(order, kit.user("dc01_handler"), kit.unit("XH0101").pk, "请社区核实")
    assert refused.value.code == "not_below"


def test_sub_centre_cannot_dispatch_an_order_it_was_not_handed(kit):
    order = kit.order_in_state(S.REGISTERED)
    with pytest.raises(NotFound):
        do_dispatch(order, kit.user("dc_dispatcher"), kit.unit("DC01").pk)
    assert _fresh(order).state == S.REGISTERED


def test_sub_centre_dispatches_an_order_forwarded_to_it(kit):
    order = kit.order_in_state(S.REGISTERED)
    do_forward(order, kit.user("dispatcher1"), kit.unit("DC-FZX").pk)
    do_dispatch(order, kit.user("dc_dispatcher"), kit.unit("DC01").pk)
    assert _fresh(order).state == S.DISPATCHED
