"""Tracking's periodic work, run by Celery beat (CELERY_BEAT_SCHEDULE in settings)."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from apps.tracking.history.partitions import partitions_drop, partitions_ensure


@shared_task(name="tracking.maintain_history", acks_late=True)
def maintain_history() -> dict:
    """Make the history's daily partitions ahead and drop those past the retention. Idempotent: a second run
    (or a redelivery) makes and drops nothing."""
    today = timezone.now().date()  # UTC: the partitions are UTC days
    made = partitions_ensure(days_ahead=settings.TRACKING_HISTORY_DAYS_AHEAD, today=today)
    dropped = partitions_drop(older_than=today - timedelta(days=settings.TRACKING_HISTORY_RETENTION_DAYS))
    return {"made": made, "dropped": dropped}
