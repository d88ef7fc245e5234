from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "minhu.triage"
    verbose_name = "智能分拨"
