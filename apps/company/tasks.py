"""Company's periodic work, run by Celery beat (CELERY_BEAT_SCHEDULE in settings)."""

from celery import shared_task
from django.conf import settings

from apps.company.services.materialise import trips_materialise


@shared_task(name="company.materialise_trips", acks_late=True)
def materialise_trips() -> dict:
    """Idempotent: a second run (or a redelivery) creates nothing twice."""
    result = trips_materialise(days_ahead=settings.COMPANY_TRIPS_DAYS_AHEAD)
    return {"planned": result.planned, "created": result.created, "skipped_bus_busy": len(result.skipped_bus_busy)}
