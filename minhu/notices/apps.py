from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "minhu.notices"
    verbose_name = "通知"

    def ready(self):
        from minhu.orders.signals import event_committed

        from . import checks  # noqa: F401 - registers the configuration checks
        from .citizens import on_event_committed

        event_committed.connect(on_event_committed, dispatch_uid="notices.citizen_sms")
