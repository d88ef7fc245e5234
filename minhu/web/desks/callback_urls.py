"""URLs of the callback desk, included under ``callback/`` in the ``web`` namespace."""

from django.urls import path

from . import callback

urlpatterns = [
    path("", callback.desk, name="callback"),
    path("<str:number>/reveal/", callback.reveal, name="callback-reveal"),
]
