from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "minhu.orders"
    verbose_name = "工单"
