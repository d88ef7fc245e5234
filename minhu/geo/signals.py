"""Throw the gazetteer away when the rows it is built from change.

``bulk_create``/``update`` send no signals: code that writes places or units in bulk (the
demo build, imports) calls ``store.forget()`` itself, and other processes catch up
through the version counter and the periodic signature check in ``store.current()``.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from minhu.org.models import Place, Unit

from . import store
from .models import Boundary


@receiver([post_save, post_delete], sender=Place, dispatch_uid="geo-place-changed")
@receiver([post_save, post_delete], sender=Unit, dispatch_uid="geo-unit-changed")
@receiver([post_save, post_delete], sender=Boundary, dispatch_uid="geo-boundary-changed")
def rows_changed(sender, **kwargs):
    store.forget()
    store.changed_in_transaction()
    # Forget again once committed: a lookup between the save and the commit may have
    # rebuilt the gazetteer from what another connection still saw.
    transaction.on_commit(store.committed)
