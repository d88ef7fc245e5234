from django.urls import path

from . import views

app_name = "notices"

urlpatterns = [
    path("optout/<str:token>/", views.optout_page, name="optout"),
    path("sms/inbound", views.inbound_sms, name="sms_inbound"),
]
