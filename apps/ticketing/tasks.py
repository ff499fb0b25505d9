"""Ticketing's periodic work, run by Celery beat (CELERY_BEAT_SCHEDULE in settings)."""

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from apps.ticketing.inventory import services as inventory


@shared_task(name="ticketing.expire_holds", acks_late=True)
def expire_holds() -> int:
    """Free lapsed holds so the seat map and sales reports show them free; idempotent."""
    with transaction.atomic():
        return inventory.all_lapsed_holds_expire(now=timezone.now())
