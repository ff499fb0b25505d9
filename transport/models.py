"""The kernel's tables, defined next to the code that owns them."""

from transport.demo_models import DemoHistoryRecord
from transport.events.models import DeadLetter, InboxRecord, OutboxMessage
from transport.idempotency.models import IdempotencyRecord

__all__ = ["DeadLetter", "DemoHistoryRecord", "IdempotencyRecord", "InboxRecord", "OutboxMessage"]
