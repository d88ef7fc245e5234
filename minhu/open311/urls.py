"""GeoReport v2 under /open311/v2/: every path ends in .json or .xml (the format)."""

from django.urls import re_path

from . import views

app_name = "open311"

FMT = r"\.(?P<fmt>[A-Za-z0-9]{1,10})$"
ID = r"(?P<{}>[^/.]{{1,80}})"

urlpatterns = [
    re_path(r"^discovery" + FMT, views.discovery, name="discovery"),
    re_path(r"^services" + FMT, views.service_list, name="services"),
    re_path(r"^services/" + ID.format("code") + FMT, views.service_definition,
            name="service"),
    re_path(r"^requests" + FMT, views.requests_, name="requests"),
    re_path(r"^requests/" + ID.format("rid") + FMT, views.request_detail, name="request"),
    # The swagger description of the spec spells the single request path this way.
    re_path(r"^request/" + ID.format("rid") + FMT, views.request_detail),
    re_path(r"^tokens/" + ID.format("token") + FMT, views.token_detail, name="token"),
    re_path(r"^.*$", views.unknown, name="unknown"),
]
