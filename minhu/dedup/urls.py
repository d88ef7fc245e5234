from django.urls import path

from . import views

app_name = "dedup"

urlpatterns = [
    path("order/<str:number>/panel/", views.panel, name="panel"),
    path("order/<str:number>/merge/", views.merge, name="merge"),
    path("order/<str:number>/unmerge/", views.unmerge, name="unmerge"),
    path("incidents/", views.incidents, name="incidents"),
    path("incidents/<int:pk>/merge-all/", views.merge_all, name="merge-all"),
]
