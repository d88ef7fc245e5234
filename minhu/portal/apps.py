from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "minhu.portal"
    verbose_name = "市民门户"

    def ready(self):
        from minhu.intake.actions import register_parser
        from minhu.orders.states import Channel

        from .submit import follow_up, parse_raw

        # Every submission, first attempt or retry of a failed one, is registered from its
        # raw row by the same parser and followed up (QR routing, the number by SMS) alike.
        register_parser(Channel.WEB, parse_raw, follow_up)
        register_parser(Channel.QR, parse_raw, follow_up)
