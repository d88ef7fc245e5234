"""Triage fragments for the desks (htmx): what triage reads from one order and where it
would send it, read-only. The dispatcher desk renders the same parts inline; other pages
(the order page, the agent console) can load this fragment by ``hx-get``."""

from django.shortcuts import render
from django.utils.translation import gettext_lazy

from minhu.accounts.roles import Role
from minhu.core.errors import MinhuError
from minhu.orders.access import access_order
from minhu.web.desks.dispatch import desk_for, learned_suggestions, triage_context

MAX_NUMBER = 40


@desk_for(Role.DISPATCHER, Role.SUPERVISOR, Role.AGENT, desk=gettext_lazy("智能分拨建议"))
def suggestion(request, number):
    try:
        order = access_order(request.user, str(number)[:MAX_NUMBER])
    except MinhuError:
        return render(request, "triage/desk_suggestion.html", {"missing": True,
                                                                "number": number[:MAX_NUMBER]},
                      status=404)
    return render(request, "triage/desk_suggestion.html", {
        "o": order, "number": order.number, "t": triage_context(order),
        "suggestions": learned_suggestions(order),
    })
