from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "minhu.accounts"
    verbose_name = "账号与角色"

    def ready(self):
        from django.db.models.signals import post_migrate

        from .setup import ensure_role_groups

        post_migrate.connect(ensure_role_groups, sender=self)
