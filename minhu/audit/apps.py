from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "minhu.audit"
    verbose_name = "审计"
