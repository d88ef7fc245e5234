"""承办工作台 routes, included at ``/inbox/`` in the ``web`` namespace."""

from django.urls import path

from . import inbox

urlpatterns = [
    path("", inbox.inbox, name="inbox"),
    path("<str:number>/reply/", inbox.reply, name="inbox-reply"),
    path("<str:number>/return/", inbox.return_order, name="inbox-return"),
    path("<str:number>/form/<str:name>/", inbox.panel, name="inbox-panel"),
]
