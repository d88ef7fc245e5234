"""Citizens who asked for no more non-transactional messages."""

from minhu.core import clock
from minhu.core.errors import ValidationFailed

from .addresses import normalize_address
from .models import OptOut, OptOutSource


def is_opted_out(address: str) -> bool:
    return OptOut.objects.filter(address=address, active=True).exists()


def opt_out(address: str, source: str) -> OptOut:
    """Record (or renew) an opt-out. Idempotent: a second TD keeps the first date."""
    if source not in OptOutSource.values:
        raise ValidationFailed("退订来源无效", code="invalid_optout_source")
    kind, value = normalize_address(address)
    row, created = OptOut.objects.get_or_create(
        address=value, defaults={"kind": kind, "source": source, "opted_out_at": clock.now()})
    if not created and not row.active:
        row.active, row.source, row.opted_out_at, row.opted_in_at = True, source, clock.now(), None
        row.save(update_fields=["active", "source", "opted_out_at", "opted_in_at"])
    return row


def opt_back_in(address: str) -> bool:
    """True when an active opt-out was lifted."""
    _, value = normalize_address(address)
    return bool(OptOut.objects.filter(address=value, active=True)
                .update(active=False, opted_in_at=clock.now()))
