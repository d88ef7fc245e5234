"""Batch generation: one PDF with a sheet for every building and compound under a unit.

Runs as a Huey task; the staff page polls ``done``/``total``. The PDF is written to a
temporary file beside its final place and saved to storage at the end, so a failed run
never leaves half a file behind for download.
"""

import logging
import tempfile

from django.core.files import File
from django.db import transaction

from minhu.core import clock

from .models import BatchStatus, QrBatch, codes_for
from .scope import batch_places
from .sheets import draw_sheet, new_canvas

log = logging.getLogger(__name__)
PROGRESS_EVERY = 20  # pages between progress writes: cheap, yet smooth for the bar


def start_batch(unit, user) -> QrBatch:
    batch = QrBatch.objects.create(unit=unit, requested_by=user, created_at=clock.now(),
                                   total=batch_places(unit).count())

    def enqueue():
        from .tasks import generate_batch

        generate_batch(batch.pk)

    transaction.on_commit(enqueue)
    return batch


def run_batch(batch_id: int) -> QrBatch:
    batch = QrBatch.objects.select_related("unit").get(pk=batch_id)
    if batch.status in (BatchStatus.DONE, BatchStatus.RUNNING):
        return batch
    QrBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.RUNNING, done=0)
    places = list(batch_places(batch.unit))
    QrBatch.objects.filter(pk=batch.pk).update(total=len(places))
    try:
        with tempfile.TemporaryFile() as tmp:
            c = new_canvas(tmp, f"一码通 {batch.unit.name}")
            codes = {}
            for start in range(0, len(places), 500):
                codes.update(codes_for(places[start:start + 500]))
            for i, place in enumerate(places, start=1):
                draw_sheet(c, place, codes[place.pk])
                c.showPage()
                if i % PROGRESS_EVERY == 0:
                    QrBatch.objects.filter(pk=batch.pk).update(done=i)
            c.save()
            tmp.seek(0)
            batch.refresh_from_db()
            batch.file.save(f"qr-{batch.unit.code}-{batch.pk}.pdf", File(tmp), save=False)
        batch.done, batch.total = len(places), len(places)
        batch.status, batch.finished_at = BatchStatus.DONE, clock.now()
        batch.save()
    except Exception as exc:
        log.exception("QR batch %s failed", batch_id)
        QrBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.FAILED,
                                                   error=repr(exc)[:300],
                                                   finished_at=clock.now())
        raise
    return batch
