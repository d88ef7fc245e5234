"""Every change of triage state that people make goes through a ``do_*`` here.

Model versions: ``do_activate_model`` makes one version the one every process classifies
with (activating an older version is the rollback). Audited.
"""

from __future__ import annotations

from django.db import transaction

from minhu.accounts.roles import Role
from minhu.audit.actions import record as audit
from minhu.core import clock
from minhu.core.errors import Forbidden, ValidationFailed

from .models import ModelVersion


def can_manage_models(user) -> bool:
    return bool(user and user.is_authenticated and user.has_role(Role.ADMIN))


def do_activate_model(version: ModelVersion, actor, *, rollback: bool = False) -> ModelVersion:
    """Make ``version`` the active model; the previous one stays stored for rollback.
    ``actor`` None means the system (the weekly retraining)."""
    if actor is not None and not can_manage_models(actor):
        raise Forbidden("只有系统管理员可以启用模型版本", code="triage_model_forbidden")
    with transaction.atomic():
        locked = ModelVersion.objects.select_for_update().filter(pk=version.pk).first()
        if locked is None:
            raise ValidationFailed("模型版本不存在", code="triage_model_missing")
        if not locked.blob:
            raise ValidationFailed("该模型版本没有模型数据，无法启用", code="triage_model_empty")
        previous = list(ModelVersion.objects.select_for_update().filter(is_active=True)
                        .exclude(pk=locked.pk).values_list("pk", flat=True))
        ModelVersion.objects.filter(pk__in=previous).update(is_active=False)
        locked.is_active = True
        locked.activated_at = clock.now()
        locked.save(update_fields=["is_active", "activated_at"])
        was = ",".join(f"v{pk}" for pk in previous) or "内置初始模型"
        audit(actor, "triage_model_rollback" if rollback else "triage_model_activate", locked,
              fields=f"v{locked.pk}←{was}"[:200], via="web" if actor is not None else "system")
    return locked
