from django.urls import path

from . import views

app_name = "patrol"

urlpatterns = [
    path("", views.report, name="report"),
    path("mine/", views.mine, name="mine"),
    path("categories/", views.categories, name="categories"),
    path("stats/", views.stats_page, name="stats"),
]
