from django.apps import AppConfig


class PatrolConfig(AppConfig):
    name = "minhu.patrol"
    verbose_name = "网格巡查上报"
