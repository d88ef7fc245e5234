from django.urls import path

from . import views_models as views

# Mounted under triage/models/ in the "triage" namespace.
urlpatterns = [
    path("", views.models_page, name="models"),
    path("<int:pk>/activate/", views.activate, name="model-activate"),
]
