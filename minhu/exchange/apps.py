from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "minhu.exchange"
    verbose_name = "省级平台交换"

    def ready(self):
        from minhu.outbox.actions import follow

        from . import inbound  # noqa: F401  (registers the retry parser)
        from .outbound import follow_province

        follow("province", follow_province)
