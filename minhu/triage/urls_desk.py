"""The desks' triage fragments (under ``/triage/desk/``)."""

from django.urls import path

from . import views_desk

urlpatterns = [
    path("<str:number>/", views_desk.suggestion, name="desk-suggestion"),
]
