"""URLs of the agent console, included under ``agent/`` in the ``web`` namespace."""

from django.urls import path

from . import agent

urlpatterns = [
    path("", agent.console, name="agent"),
    path("register/", agent.register_call, name="agent-register"),
    path("caller/", agent.caller, name="agent-caller"),
    path("places/", agent.places, name="agent-places"),
    path("categories/", agent.categories, name="agent-categories"),
    path("related/", agent.related, name="agent-related"),
]
