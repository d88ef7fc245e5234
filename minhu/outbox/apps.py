from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "minhu.outbox"
    verbose_name = "状态推送"
