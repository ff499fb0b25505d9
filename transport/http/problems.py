"""One exception handler turns every error into RFC 9457 application/problem+json.

Body: {"type", "title", "status", "detail", "code", "instance", "errors": {field: [messages]}}.
`code` is stable and meant for programs; `title`/`detail` are for people.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, JsonResponse
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_default_handler

from transport.errors import DomainError, LimitExceeded

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"

_DRF_CODES: dict[type[drf.APIException], str] = {
    drf.ParseError: "malformed_request",
    drf.UnsupportedMediaType: "unsupported_media_type",
    drf.NotAuthenticated: "not_authenticated",
    drf.AuthenticationFailed: "authentication_failed",
    drf.PermissionDenied: "permission_denied",
    drf.NotFound: "not_found",
    drf.MethodNotAllowed: "method_not_allowed",
    drf.NotAcceptable: "not_acceptable",
    drf.Throttled: "limit_exceeded",
    drf.ValidationError: "validation_failed",
}


def problem_body(*, status: int, code: str, title: str, detail: str = "", instance: str = "",
                 errors: dict | None = None) -> dict:
    body = {
        "type": f"https://errors.transport.dev/{code}",
        "title": title,
        "status": status,
        "detail": detail or title,
        "code": code,
    }
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = errors
    return body


def problem_response(*, status: int, code: str, title: str, detail: str = "", instance: str = "",
                     errors: dict | None = None, headers: dict | None = None) -> JsonResponse:
    """A plain Django response, for middleware and views outside DRF."""
    response = JsonResponse(
        problem_body(status=status, code=code, title=title, detail=detail, instance=instance, errors=errors),
        status=status,
        content_type=PROBLEM_CONTENT_TYPE,
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def exception_handler(exc: Exception, context: dict) -> Response | None:
    request = context.get("request")
    instance = request.path if request is not None else ""
    headers: dict[str, str] = {}

    if isinstance(exc, DomainError):
        if isinstance(exc, LimitExceeded) and exc.retry_after:
            headers["Retry-After"] = str(exc.retry_after)
        return _drf_problem(status=exc.status, code=exc.code, title=exc.title, detail=exc.detail,
                            instance=instance, errors=exc.fields or None, headers=headers)

    if isinstance(exc, RequestDataTooBig):
        return _drf_problem(status=413, code="payload_too_large", title="The request body is too large",
                            detail=str(exc), instance=instance)
    if isinstance(exc, SuspiciousOperation):
        return _drf_problem(status=400, code="bad_request", title="Bad request", detail=str(exc), instance=instance)
    if isinstance(exc, Http404):
        exc = drf.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf.PermissionDenied()

    response = drf_default_handler(exc, context)
    if response is None:
        return None  # an unexpected error: Django's 500 handling logs it
    assert isinstance(exc, drf.APIException)
    code = next((c for klass, c in _DRF_CODES.items() if isinstance(exc, klass)), "error")
    errors = None
    if isinstance(exc, drf.ValidationError):
        errors = _field_errors(exc.detail)
        detail = "One or more fields are not valid."
        status = 400
    else:
        detail = str(exc.detail)
        status = response.status_code
    for name in ("Retry-After", "WWW-Authenticate", "Allow"):
        if name in response:
            headers[name] = response[name]
    return _drf_problem(status=status, code=code, title=_title(status, exc), detail=detail,
                        instance=instance, errors=errors, headers=headers)


def _drf_problem(*, headers: dict | None = None, **fields) -> Response:
    response = Response(problem_body(**fields), status=fields["status"], headers=headers,
                        content_type=PROBLEM_CONTENT_TYPE)
    return response


def _title(status: int, exc: drf.APIException) -> str:
    default = getattr(exc, "default_detail", "")
    return str(default) if default else f"Error {status}"


def _field_errors(detail) -> dict[str, list[str]]:
    """Flatten DRF's nested error structure into {"field.sub": ["message", ...]}."""
    flat: dict[str, list[str]] = {}

    def walk(node, path: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, f"{path}.{key}" if path else str(key))
        elif isinstance(node, list) and node and all(not isinstance(i, dict | list) for i in node):
            flat.setdefault(path or "non_field_errors", []).extend(str(i) for i in node)
        elif isinstance(node, list):
            for index, item in enumerate(node):
                walk(item, f"{path}.{index}" if path else str(index))
        else:
            flat.setdefault(path or "non_field_errors", []).append(str(node))

    walk(detail, "")
    return flat
