from django.apps import AppConfig


class PatrolConfig(AppConfig):
    name = "minhu.patrol"
    verbose_name = "网格巡查上报"

    def ready(self):
        from minhu.intake.actions import register_parser
        from minhu.orders.states import Channel

        from .actions import follow_up, parse_raw

        # Registered at start-up (not on first import of the views), so a retry from the
        # admin, the 渠道接入 page or a job finds the patrol parser in every process.
        register_parser(Channel.GRID, parse_raw, follow_up)
