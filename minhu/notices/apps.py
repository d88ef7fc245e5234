from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "minhu.notices"
    verbose_name = "通知"
