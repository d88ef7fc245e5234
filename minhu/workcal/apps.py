from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS


class WorkcalConfig(AppConfig):
    name = "minhu.workcal"
    verbose_name = "工作日历"

    def ready(self):
        from django.db.models.signals import post_migrate

        post_migrate.connect(seed_on_first_migrate, sender=self)


def seed_on_first_migrate(sender, apps=global_apps, using=DEFAULT_DB_ALIAS, verbosity=1,
                          **kwargs):
    """A fresh installation gets the statutory holidays without anyone asking.
    (``flush`` sends this signal without ``apps``: the defaults keep it working.)"""
    try:
        model = apps.get_model("workcal", "CalendarDay")
    except LookupError:  # migrated back to zero: no table to fill
        return
    if model.objects.using(using).exists():
        return
    from .seed import seed_from_package

    created = seed_from_package(using=using, model=model)
    if verbosity >= 1:
        print(f"  已从 chinese_calendar 写入 {created} 条法定节假日/调休日")
