"""Celery finds tasks in `<app>.tasks`: the kernel's live next to the code they belong to."""

from transport.events.tasks import deliver, relay_outbox, sweep_outbox
from transport.idempotency.tasks import purge_expired

__all__ = ["deliver", "purge_expired", "relay_outbox", "sweep_outbox"]
