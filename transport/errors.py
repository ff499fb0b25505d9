"""Domain errors: what went wrong, in words a client can act on, without any HTTP framework.

`transport.http.problems` maps each to an RFC 9457 problem+json answer; `status` is a hint for it.
"""

from __future__ import annotations


class DomainError(Exception):
    status = 400
    code = "bad_request"
    title = "Bad request"

    def __init__(
        self, detail: str | None = None, *, code: str | None = None, fields: dict[str, list[str]] | None = None
    ):
        self.detail = detail or self.title
        if code:
            self.code = code
        self.fields = fields or {}
        super().__init__(self.detail)


class ValidationFailed(DomainError):
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

    def __init__(self, detail: str | None = None, *, retry_after: int | None = None, **kwargs):
        super().__init__(detail, **kwargs)
        self.retry_after = retry_after


class ServiceUnavailable(DomainError):
    status = 503
    code = "service_unavailable"
    title = "A service we depend on is unavailable"
