"""URLs of the supervisor board (included under ``supervise/`` in the ``web`` namespace)."""

from django.urls import path

from . import supervise

urlpatterns = [
    path("", supervise.board, name="supervise"),
    path("unit/<str:code>/", supervise.unit_orders, name="supervise-unit"),
    path("o/<str:number>/", supervise.panel, name="supervise-panel"),
]
