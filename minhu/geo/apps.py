from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "minhu.geo"
    verbose_name = "地名与辖区"
