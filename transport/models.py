"""The kernel's tables, defined next to the code that owns them."""

from transport.events.models import DeadLetter, InboxRecord, OutboxMessage
from transport.idempotency.models import IdempotencyRecord

__all__ = ["DeadLetter", "IdempotencyRecord", "InboxRecord", "OutboxMessage"]
