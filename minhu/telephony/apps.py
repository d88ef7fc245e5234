from django.apps import AppConfig


class TelephonyConfig(AppConfig):
    name = "minhu.telephony"
    verbose_name = "话务接入"
