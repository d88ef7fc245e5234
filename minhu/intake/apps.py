from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "minhu.intake"
    verbose_name = "渠道接入"
