"""Notification's background work: sending a delivery, the sweep that sends what a lost task left queued, and
the daily sales summaries. Tasks take ids and are idempotent."""

from __future__ import annotations

from uuid import UUID

from celery import shared_task
from django.utils import timezone

from apps.notification.services import sending, summaries
from apps.notification.sms.reports import parked_reports_apply


@shared_task(name="notification.send_delivery", acks_late=True)
def send_delivery(delivery_id: str) -> str:
    return sending.delivery_send(UUID(delivery_id))


@shared_task(name="notification.send_due", acks_late=True)
def send_due() -> int:
    """Retries whose time has come, first tries whose task was lost, and parked delivery reports."""
    due = sending.deliveries_due(now=timezone.now())
    for delivery_id in due:
        sending.delivery_send(delivery_id)
    parked_reports_apply()  # reports that overtook their send's commit and were missed since
    return len(due)


@shared_task(name="notification.daily_sales_summaries", acks_late=True)
def daily_sales_summaries() -> int:
    planned = 0
    for company_id, day in summaries.summaries_due(now=timezone.now()):
        planned += len(summaries.company_summary(company_id=company_id, day=day))
    return planned
