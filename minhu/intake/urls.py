from django.urls import path

from . import views

app_name = "intake"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/retry/", views.retry, name="retry"),
    path("<int:pk>/files/<int:file_pk>/", views.raw_file, name="file"),
]
