from django.urls import path

from . import views

app_name = "outbox"

urlpatterns = [
    path("", views.dead_letters, name="dead-letters"),
    path("<int:pk>/requeue/", views.requeue_one, name="requeue"),
    path("endpoints/<slug:code>/requeue/", views.requeue_endpoint, name="requeue-endpoint"),
]
