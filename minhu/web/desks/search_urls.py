"""工单查询 routes, included at ``/orders/`` in the ``web`` namespace (before the order
page's ``orders/<number>/`` routes, so ``saved/`` is never taken for an order number)."""

from django.urls import path

from . import search

urlpatterns = [
    path("", search.orders, name="orders"),
    path("export.xlsx", search.export, name="orders-export"),
    path("saved/", search.save_filter, name="orders-save-filter"),
    path("saved/<int:pk>/delete/", search.delete_filter, name="orders-delete-filter"),
]
