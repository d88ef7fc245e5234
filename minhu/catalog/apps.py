from django.apps import AppConfig
from django.apps import apps as global_apps


class CatalogConfig(AppConfig):
    name = "minhu.catalog"
    verbose_name = "基础数据"

    def ready(self):
        from django.db.models.signals import post_migrate

        post_migrate.connect(seed_on_first_migrate, sender=self)


def seed_on_first_migrate(sender, apps=global_apps, verbosity=1, **kwargs):
    """A fresh installation starts with the request types, tiers and taxonomy.
    (``flush`` sends this signal without ``apps``: the defaults keep it working.)"""
    try:
        apps.get_model("catalog", "RequestType")
    except LookupError:  # migrated back to zero: no tables to fill
        return
    from .models import RequestType
    from .seed import seed_reference_data

    if RequestType.objects.exists():
        return
    added = seed_reference_data()
    if verbosity >= 1:
        print("  已写入基础数据：" + "，".join(f"{k} {v} 条" for k, v in added.items() if v))
