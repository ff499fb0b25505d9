"""What a client did wrong with an Idempotency-Key, as domain errors the problem+json handler renders."""

from __future__ import annotations

from typing import Any

from transport.errors import Conflict, DomainError, ValidationFailed


class IdempotencyKeyMissing(DomainError):
    code = "idempotency_key_missing"
    title = "This request needs an Idempotency-Key header"


class IdempotencyKeyInvalid(DomainError):
    code = "idempotency_key_invalid"
    title = "The Idempotency-Key header must be 1 to 255 printable ASCII characters"


class IdempotencyKeyReused(ValidationFailed):
    code = "idempotency_key_reused"
    title = "This Idempotency-Key was already used for a different request"


class IdempotencyRequestInProgress(Conflict):
    code = "idempotency_request_in_progress"
    title = "A request with this Idempotency-Key is still running"

    def __init__(self, detail: str | None = None, *, retry_after: int = 1, **kwargs: Any) -> None:
        # one second by default: the first request usually finishes within it
        super().__init__(detail, retry_after=retry_after, **kwargs)
