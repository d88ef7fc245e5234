from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "minhu.outbox"
    verbose_name = "状态推送"

    def ready(self):
        from minhu.orders.signals import event_recorded

        from .actions import on_event_recorded

        event_recorded.connect(on_event_recorded, dispatch_uid="minhu-outbox")
