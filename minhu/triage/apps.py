from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "minhu.triage"
    verbose_name = "智能分拨"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from minhu.catalog.models import Category
        from minhu.orders.signals import event_committed, event_recorded

        from . import learning

        # Inside the action's transaction: a correction commits with its dispatch.
        event_recorded.connect(learning.on_event_recorded, dispatch_uid="minhu-triage-learning")
        for signal in (post_save, post_delete):
            signal.connect(learning.forget_categories, sender=Category,
                           dispatch_uid=f"minhu-triage-categories-{signal is post_save}")

        # After commit: triage the new order (and auto-dispatch when sure) in a Huey job;
        # importing stats registers the nightly routing-history rebuild.
        from . import stats  # noqa: F401
        from .autodispatch import on_event_committed

        event_committed.connect(on_event_committed, dispatch_uid="minhu-triage-new-order")
