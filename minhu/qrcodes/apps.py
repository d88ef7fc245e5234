from django.apps import AppConfig


class QrcodesConfig(AppConfig):
    name = "minhu.qrcodes"
    verbose_name = "一码通"
