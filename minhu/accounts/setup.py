from django.contrib.auth.models import Group

from .roles import Role


def ensure_role_groups(**_kwargs) -> None:
    """One group per role, created after every migrate so a fresh database has them."""
    for role in Role:
        Group.objects.get_or_create(name=role.value)
