from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "minhu.core"
    verbose_name = "核心"
