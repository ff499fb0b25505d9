"""Sending deliveries in the background once their rows are committed. The rows are the durable record: should
the broker not take a task, the periodic sweep (`notification.send_due`) sends what is due."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from uuid import UUID

from celery import current_app
from django.db import transaction

logger = logging.getLogger(__name__)

SEND_TASK = "notification.send_delivery"


def send_soon(delivery_id: UUID, *, countdown: float = 0) -> None:
    try:
        current_app.send_task(SEND_TASK, args=[str(delivery_id)], countdown=countdown or None)
    except Exception:  # noqa: BLE001 (any broker error: the sweep sends it)
        logger.warning("notification.send_not_queued", extra={"delivery_id": str(delivery_id)})


def send_after_commit(delivery_ids: Sequence[UUID]) -> None:
    if delivery_ids:
        ids = list(delivery_ids)

        def send_all() -> None:
            for delivery_id in ids:
                send_soon(delivery_id)

        transaction.on_commit(send_all)
