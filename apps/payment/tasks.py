"""Payment's background work: processing stored callbacks, sending refunds, and beat's polls of what is pending.
Every task takes ids and is idempotent; a lost message is made up for by the periodic sweeps."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any
from uuid import UUID

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from apps.payment.credentials import CredentialsUnreadable
from apps.payment.models import ProviderAccount, ProviderEvent
from apps.payment.services import callbacks, payments, reconciliation, refunds

logger = logging.getLogger(__name__)


def send_quietly(task: Any, *args: object) -> None:
    """Send a task after commit; a broker outage loses nothing: the row it names is the durable record, and
    the periodic sweeps pick it up."""
    try:
        task.delay(*args)
    except Exception:  # noqa: BLE001 (any broker error)
        logger.warning("payment task %s not sent; the sweep will do it", task.name)


@shared_task(name="payment.process_event", acks_late=True)
def process_event(event_id: int) -> str:
    return callbacks.event_process(event_id)


@shared_task(name="payment.send_refund", acks_late=True)
def send_refund(refund_id: str) -> str:
    return refunds.refund_send(UUID(refund_id))


@shared_task(name="payment.poll_pending", acks_late=True)
def poll_pending() -> dict[str, int]:
    """Ask the providers about payments and refunds no callback settled, with backoff; expire the ones whose
    window has passed."""
    now = timezone.now()
    polled = [payments.poll_one(payment_id, now=now) for payment_id in payments.due_for_poll(now=now)]
    refunded = [refunds.refund_poll_one(refund_id) for refund_id in refunds.refunds_due(now=now)]
    return {"payments": len(polled), "refunds": len(refunded)}


@shared_task(name="payment.process_stored_events", acks_late=True)
def process_stored_events() -> int:
    """Callbacks stored but never processed (the broker or a worker was down when they arrived)."""
    before = timezone.now() - timedelta(seconds=settings.PAYMENT_EVENT_RETRY_SECONDS)
    ids = list(ProviderEvent.objects.filter(outcome=ProviderEvent.Outcome.RECEIVED, received_at__lte=before)
               .order_by("received_at").values_list("id", flat=True)[:500])
    for event_id in ids:
        callbacks.event_process(event_id)
    return len(ids)


@shared_task(name="payment.reconcile_yesterday", acks_late=True)
def reconcile_yesterday() -> int:
    """Reconcile every active account's yesterday (in its company's timezone); the number of runs. Running it
    twice only updates the same items."""
    runs = 0
    for account_id, company_id in ProviderAccount.objects.filter(active=True).order_by("id").values_list(
            "id", "company_id"):
        try:
            reconciliation.account_day_reconcile(account_id=account_id,
                                                 day=reconciliation.yesterday(company_id=company_id),
                                                 started_by="system:reconcile_yesterday")
        except CredentialsUnreadable:  # one account's dropped key must not stop the others' runs
            logger.error("payment account %s: credentials unreadable, not reconciled", account_id)
            continue
        runs += 1
    return runs
