from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "minhu.exchange"
    verbose_name = "省级平台交换"
