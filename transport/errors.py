"""Domain errors: what went wrong, in words a client can act on, without any HTTP framework.

`transport.http.problems` maps each to an RFC 9457 problem+json answer: `status` is the HTTP status it
becomes, `code` a stable identifier for programs, `title` a fixed summary for people, `detail` this
occurrence in words, `fields` per-field messages ({"seat": ["Seat 4 is taken."]}).

Raise them from services and api.py functions; subclass (or pass `code=`) for a more precise code.
"""

from __future__ import annotations


class DomainError(Exception):
    status: int = 400
    code: str = "bad_request"
    title: str = "Bad request"

    def __init__(
        self,
        detail: str | None = None,
        *,
        code: str | None = None,
        fields: dict[str, list[str]] | None = None,
        retry_after: int | None = None,
    ) -> None:
        self.detail = detail or self.title
        if code:
            self.code = code
        self.fields = fields or {}
        # seconds after which trying again may succeed; becomes the Retry-After header
        self.retry_after = retry_after
        super().__init__(self.detail)


class ValidationFailed(DomainError):
    """Well-formed input that breaks a business rule (input of the wrong shape is a 400 at the edge)."""

    status = 422
    code = "validation_failed"
    title = "The request is not valid"


class NotAuthenticated(DomainError):
    status = 401
    code = "not_authenticated"
    title = "Authentication is required"


class PermissionDenied(DomainError):
    status = 403
    code = "permission_denied"
    title = "You may not do this"


class NotFound(DomainError):
    status = 404
    code = "not_found"
    title = "Not found"


class Conflict(DomainError):
    status = 409
    code = "conflict"
    title = "The request conflicts with the current state"


class LimitExceeded(DomainError):
    status = 429
    code = "limit_exceeded"
    title = "Too many requests"


class ServiceUnavailable(DomainError):
    status = 503
    code = "service_unavailable"
    title = "A service we depend on is unavailable"
