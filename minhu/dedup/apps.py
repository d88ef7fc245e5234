from django.apps import AppConfig


class DedupConfig(AppConfig):
    name = "minhu.dedup"
    verbose_name = "重复诉求与事件"
