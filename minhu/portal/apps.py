from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "minhu.portal"
    verbose_name = "市民门户"

    def ready(self):
        from minhu.intake.actions import register_parser
        from minhu.orders.states import Channel

        from .submit import parse_raw

        # A submission whose registration failed (our fault) can be retried from its raw row.
        register_parser(Channel.WEB, parse_raw)
        register_parser(Channel.QR, parse_raw)

        from minhu.orders.signals import event_committed

        event_committed.connect(_registered, dispatch_uid="portal-registered-sms")


def _registered(sender, order, event, **kwargs):
    """Text the number of every order the portal registers, also when it is registered on
    a retry of a failed submission (the form's own path sends it at once; the message key
    makes the second send a no-op)."""
    if event.action != "register" or getattr(event.actor, "username", "") != "svc-portal":
        return
    from .submit import tell_registered

    tell_registered(order)
