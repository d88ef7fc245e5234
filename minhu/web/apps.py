from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "minhu.web"
    verbose_name = "工作台"
