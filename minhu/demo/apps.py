from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "minhu.demo"
    verbose_name = "演示城市"
