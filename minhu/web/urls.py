from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html",
                                                redirect_authenticated_user=True),
         name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="web:login"), name="logout"),
    path("orders/", include("minhu.web.desks.search_urls")),
    path("orders/<str:number>/", views.order_page, name="order"),
    path("orders/<str:number>/do/<str:operation>/", views.act, name="act"),
    path("notices/", views.notices, name="notices"),
    path("places/near/", views.places_near, name="places-near"),
    path("inbox/", include("minhu.web.desks.inbox_urls")),
    path("dispatch/", include("minhu.web.desks.dispatch_urls")),
    path("supervise/", include("minhu.web.desks.supervise_urls")),
    path("agent/", include("minhu.web.desks.agent_urls")),
    path("callback/", include("minhu.web.desks.callback_urls")),
]
