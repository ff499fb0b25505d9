"""Celery finds tasks in `<app>.tasks`: the kernel's live next to the code they belong to."""

from transport.events.tasks import deliver, sweep_outbox
from transport.idempotency.tasks import purge_expired

__all__ = ["deliver", "purge_expired", "sweep_outbox"]
