"""Who may look at raw payloads. They hold citizens' words and numbers as sent, so only
the people who answer for intake quality (supervisors, administrators) see them, and
every look at a single payload is audited."""

from minhu.accounts.roles import Role

from .models import RawIntake

INSPECTOR_ROLES = (Role.SUPERVISOR, Role.ADMIN)


def can_inspect(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active
                and user.has_role(*INSPECTOR_ROLES))


def raw_intakes_visible_to(user):
    if not can_inspect(user):
        return RawIntake.objects.none()
    return RawIntake.objects.all()
