from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "minhu.partners"
    verbose_name = "合作方接入"

    def ready(self):
        from .webhooks import connect

        connect()
