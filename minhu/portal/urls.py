from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.submit_view, name="submit"),
    path("done/", views.done, name="done"),
    path("places/", views.place_search, name="places"),
    path("places/nearest/", views.place_nearest, name="places-nearest"),
    path("places/map.json", views.place_map, name="places-map"),
    path("track/", views.track_start, name="track"),
    path("track/code/", views.track_code, name="track-code"),
    path("orders/<str:number>/", views.order_page, name="order"),
    path("orders/<str:number>/reopen/", views.reopen, name="reopen"),
    path("rate/<str:token>/", views.rate, name="rate"),
]
