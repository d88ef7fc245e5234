from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "minhu.portal"
    verbose_name = "市民门户"
