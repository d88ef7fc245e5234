from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "minhu.catalog"
    verbose_name = "基础数据"
