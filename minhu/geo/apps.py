from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "minhu.geo"
    verbose_name = "地名与辖区"

    def ready(self):
        from . import signals  # noqa: F401  (connects the cache invalidation)
