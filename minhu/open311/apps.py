from django.apps import AppConfig


class Open311Config(AppConfig):
    name = "minhu.open311"
    verbose_name = "Open311 GeoReport v2"

    def ready(self):
        # A submission whose registration failed is retried from its stored payload.
        from minhu.intake.actions import register_parser
        from minhu.orders.states import Channel

        from .submit import parse_raw

        register_parser(Channel.OPEN311, parse_raw)
