from minhu.core import clock

from .models import AuditEntry


def record(actor, action: str, obj, fields: str = "", via: str = "", ip: str | None = None):
    return AuditEntry.objects.create(
        at=clock.now(), actor=actor if getattr(actor, "pk", None) else None, action=action,
        object_type=obj._meta.model_name, object_id=str(getattr(obj, "number", obj.pk)),
        fields=fields, via=via, ip=ip,
    )
