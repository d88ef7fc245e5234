"""民呼社应: a request from a building's code goes first to that building's community.

Design: the order is dispatched to the building's **street** as lead, and the street hands
it at once to the **community** as a sub-order, both by system accounts through the
ordinary actions (``do_dispatch``, ``do_sign``, ``do_sub_dispatch``). Then:

* the community signs and replies on its sub-order (民呼社应). Its reply reaches the
  street as ``sub_reply``; when the community says it is solved, the street's system
  account forwards the community's reply as the order's reply (see ``relay_community_reply``)
  and the citizen hears back and rates it at once. An unsolved reply stays with the street.
* the community cannot solve it: ``report_up`` on the sub-order ends it and the street,
  which still leads the order, takes over (社呼街应);
* the street cannot solve it either: ``report_up`` on the order goes to the 12345 centre's
  review, which sends it to a department or a higher level (街呼市应).

Dispatching to the community directly would make the community's report go to the centre,
skipping the street; this way every level keeps its own deadline and scores, and the street
sees everything that its communities are asked through the codes on their buildings.
"""

import logging

from minhu.accounts.roles import Role
from minhu.core.errors import MinhuError
from minhu.intake.actions import service_account
from minhu.orders.actions import do_dispatch, do_reply, do_sign, do_sub_dispatch
from minhu.orders.models import WorkOrder
from minhu.orders.states import Channel, State

log = logging.getLogger(__name__)

ROUTER = "svc-qr-router"
ROUTE_NOTE = "一码通：按楼栋交属地街道，由社区先行办理（民呼社应）"
SUB_NOTE = "一码通诉求，请社区先行办理；确实无法解决的请上报街道（社呼街应）"


def router_account():
    return service_account(ROUTER, "一码通分拨", roles=(Role.DISPATCHER,))


def street_account(street):
    """The street's own system account: it acts only on the street's assignments."""
    return service_account(f"svc-qr-{street.code}"[:150], f"{street.name}一码通",
                           roles=(Role.UNIT_HANDLER,), unit=street)


def route_first_to_community(order: WorkOrder) -> WorkOrder | None:
    """Street leads, community handles first. Returns the community's sub-order, or None
    when the place has no street/community (the order stays with the centre's dispatch)."""
    if order.street_id is None or order.community_id is None:
        return None
    street, community = order.street, order.community
    do_dispatch(order, router_account(), street.pk, note=ROUTE_NOTE)
    bot = street_account(street)
    order = do_sign(order, bot, note="一码通自动签收")
    return do_sub_dispatch(order, bot, community.pk, SUB_NOTE)


def relay_community_reply(parent: WorkOrder, event) -> WorkOrder | None:
    """After a community's solved reply on a QR sub-order, answer the citizen with it."""
    if parent.channel != Channel.QR or parent.state != State.HANDLING:
        return None
    data = event.data or {}
    if event.action != "sub_reply" or not data.get("solved"):
        return None
    sub = WorkOrder.objects.filter(number=data.get("sub_order"), parent=parent).first()
    street = parent.lead_unit
    if sub is None or street is None or parent.street_id != street.pk:
        return None  # escalated or reassigned: whoever leads now answers themselves
    try:
        # The reply is the street's on record; the citizen is told the community did it.
        text = f"{sub.reply_text}\n（由{sub.lead_unit.name}办理）"
        return do_reply(parent, street_account(street), text, solved=True,
                        handler_name=sub.reply_handler, handler_phone=sub.reply_handler_phone)
    except MinhuError as exc:
        # The street answered by hand in the meantime, or its assignment moved on.
        log.info("QR reply relay for %s skipped: %s", parent.number, exc.message)
        return None


def on_event_committed(sender, order, event, **kwargs):
    if event.action == "sub_reply" and order.channel == Channel.QR:
        relay_community_reply(order, event)
