from django.apps import AppConfig


class DedupConfig(AppConfig):
    name = "minhu.dedup"
    verbose_name = "重复诉求与事件"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from minhu.catalog.models import Category
        from minhu.orders.signals import event_recorded
        from minhu.org.models import Place

        from .detect import forget_categories, forget_places, on_event_recorded

        event_recorded.connect(on_event_recorded, dispatch_uid="minhu-dedup")
        post_save.connect(forget_places, sender=Place, dispatch_uid="minhu-dedup-places")
        post_delete.connect(forget_places, sender=Place, dispatch_uid="minhu-dedup-places-del")
        post_save.connect(forget_categories, sender=Category, dispatch_uid="minhu-dedup-cats")
