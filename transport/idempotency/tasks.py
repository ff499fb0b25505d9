"""Hourly clean-up of Idempotency-Key records whose retention (TRANSPORT_IDEMPOTENCY_TTL_HOURS) has passed."""

from __future__ import annotations

from celery import shared_task
from django.db.models.functions import Now

from transport.idempotency.models import IdempotencyRecord

PURGE_BATCH_SIZE = 1000


@shared_task(name="transport.idempotency.purge_expired")
def purge_expired(batch_size: int = PURGE_BATCH_SIZE) -> int:
    """Delete expired records in short batches, so no statement holds many row locks for long."""
    purged = 0
    while True:
        batch = IdempotencyRecord.objects.filter(expires_at__lt=Now()).values("id")[:batch_size]
        # expires_at is tested again on the outer DELETE: a row a concurrent claim has just taken
        # over (new expires_at) is re-checked by PostgreSQL and kept
        deleted, _ = IdempotencyRecord.objects.filter(id__in=batch, expires_at__lt=Now()).delete()
        purged += deleted
        if deleted < batch_size:
            return purged
