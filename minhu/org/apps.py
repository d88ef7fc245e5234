from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "minhu.org"
    verbose_name = "组织机构与地点"
