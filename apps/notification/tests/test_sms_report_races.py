"""Contradicting final reports of one message arriving at once (a gateway's duplicate or late retries): the
delivery takes the first one applied and keeps it; the other is only logged."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connection
from django.utils import timezone

from apps.notification.models import Delivery
from apps.notification.sms.reports import FINAL_STATUSES, sms_report_apply
from transport.testing.threads import barrier, run_threads

pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 10


def _sent() -> Delivery:
    return Delivery.objects.create(
        event_id=uuid.uuid4(), event_type="ticket_confirmed", channel="sms", recipient="+254711000050",
        language="en", body="Ticket", status=Delivery.Status.SENT, backend="africastalking",
        provider_message_id=f"ATXid_{uuid.uuid4().hex}", sent_at=timezone.now())


def test_the_first_final_report_applied_wins_and_the_other_is_only_logged():
    deliveries = [_sent() for _ in range(ROUNDS)]
    errors: list[BaseException] = []

    def report(delivery: Delivery, status: str, start: threading.Barrier) -> None:
        try:
            start.wait()
            sms_report_apply(backend_name="africastalking", message_id=delivery.provider_message_id,
                             gateway_status=status, reason="", raw={"status": status})
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    for delivery in deliveries:
        start = barrier(2)
        run_threads([threading.Thread(target=report, args=(delivery, status, start))
                     for status in ("Success", "Failed")])

    assert errors == []
    for delivery in deliveries:
        delivery.refresh_from_db()
        first, second = delivery.log.order_by("id").values_list("status", flat=True)
        assert {first, second} == {"Success", "Failed"}
        assert delivery.status == FINAL_STATUSES["africastalking"][first]
        assert (delivery.delivered_at is not None) == (delivery.status == Delivery.Status.DELIVERED)
