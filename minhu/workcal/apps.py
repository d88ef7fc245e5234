from django.apps import AppConfig


class WorkcalConfig(AppConfig):
    name = "minhu.workcal"
    verbose_name = "工作日历"
