from django.apps import AppConfig


class QrcodesConfig(AppConfig):
    name = "minhu.qrcodes"
    verbose_name = "一码通"

    def ready(self):
        from minhu.orders.signals import event_committed

        from .routing import on_event_committed

        event_committed.connect(on_event_committed, dispatch_uid="qrcodes-relay")
