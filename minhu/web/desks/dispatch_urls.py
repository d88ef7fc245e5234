"""URLs of the dispatcher desk (included under ``dispatch/`` in the ``web`` namespace)."""

from django.urls import path

from . import dispatch

urlpatterns = [
    path("", dispatch.desk, name="dispatch"),
    path("o/<str:number>/", dispatch.panel, name="dispatch-panel"),
    path("units/", dispatch.unit_search, name="dispatch-units"),
]
