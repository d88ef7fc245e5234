from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html",
                                                redirect_authenticated_user=True),
         name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="web:login"), name="logout"),
    path("orders/<str:number>/", views.order_page, name="order"),
    path("orders/<str:number>/do/<str:operation>/", views.act, name="act"),
    path("notices/", views.notices, name="notices"),
    path("places/near/", views.places_near, name="places-near"),
]
