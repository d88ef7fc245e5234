from django.urls import path

from . import views

app_name = "telephony"

urlpatterns = [
    path("", views.rates_page, name="rates"),
    path("pop/", views.pop, name="pop"),
    path("pop/dismiss/", views.dismiss, name="pop-dismiss"),
]
