"""Triage pages: model versions and rules (administrators), the learning report, and the
desk's suggestion fragments. Each part keeps its own url list."""

from django.urls import include, path

app_name = "triage"

urlpatterns = [
    path("models/", include("minhu.triage.urls_models")),
    path("learning/", include("minhu.triage.urls_learning")),
    path("desk/", include("minhu.triage.urls_desk")),
]
