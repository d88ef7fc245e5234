from django.urls import path

from . import views_learning as views

# Mounted under triage/learning/ in the "triage" namespace.
urlpatterns = [
    path("", views.learning_page, name="learning"),
    path("export.xlsx", views.learning_export, name="learning-export"),
]
