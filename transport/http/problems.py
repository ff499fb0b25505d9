"""One exception handler turns every error of a DRF view into RFC 9457 application/problem+json.

Body: {"type", "title", "status", "detail", "code", "instance", "request_id", "errors": {field: [messages]}}.
`code` is stable and meant for programs; `title` (fixed per code) and `detail` are for people;
`errors` is present only when fields are at fault; `request_id` lets support find the logs.

`type` is "about:blank" (RFC 9457 section 4.2.1): the project publishes no per-type documents, and a type URL
on a domain it does not own could be answered by anyone. What a client switches on is `code`.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, JsonResponse
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_default_handler
from rest_framework.views import set_rollback

from transport.errors import DomainError
from transport.logging import request_id_var

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE = "about:blank"

# DRF's own codes where ours differ; any other APIException keeps its `default_code`
_DRF_CODES: dict[type[drf.APIException], str] = {
    drf.ValidationError: "validation_failed",
    drf.ParseError: "malformed_request",
    drf.Throttled: "limit_exceeded",
}

TITLES: dict[str, str] = {
    "validation_failed": "The request is not valid",
    "malformed_request": "The request body is not well-formed",
    "unsupported_media_type": "Unsupported content type",
    "payload_too_large": "The request body is too large",
    "not_authenticated": "Authentication is required",
    "authentication_failed": "Authentication failed",
    "permission_denied": "You may not do this",
    "not_found": "Not found",
    "method_not_allowed": "Method not allowed",
    "not_acceptable": "Cannot answer in an acceptable format",
    "limit_exceeded": "Too many requests",
    "bad_request": "Bad request",
    "server_error": "Internal error",
}


def problem_body(
    *,
    status: int,
    code: str,
    title: str = "",
    detail: str = "",
    instance: str = "",
    errors: dict[str, Any] | None = None,
) -> dict[str, Any]:
    title = title or TITLES.get(code) or HTTPStatus(status).phrase
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE,
        "title": title,
        "status": status,
        "detail": detail or title,
        "code": code,
    }
    if instance:
        body["instance"] = instance
    request_id = request_id_var.get()
    if request_id:
        body["request_id"] = request_id
    if errors:
        body["errors"] = errors
    return body


def problem_response(
    *,
    status: int,
    code: str,
    title: str = "",
    detail: str = "",
    instance: str = "",
    errors: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JsonResponse:
    """A plain Django response, for middleware and views outside DRF."""
    body = problem_body(status=status, code=code, title=title, detail=detail, instance=instance, errors=errors)
    response = JsonResponse(body, status=status, content_type=PROBLEM_CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    request = context.get("request")
    instance = request.path if request is not None else ""

    if isinstance(exc, DomainError):
        set_rollback()  # a view under ATOMIC_REQUESTS must not commit what it wrote before the error
        headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else {}
        return _drf_problem(status=exc.status, code=exc.code, title=exc.title, detail=exc.detail,
                            instance=instance, errors=exc.fields or None, headers=headers)

    if isinstance(exc, RequestDataTooBig):  # Django refuses to read a body over DATA_UPLOAD_MAX_MEMORY_SIZE
        set_rollback()
        return _drf_problem(status=413, code="payload_too_large", detail=payload_too_large_detail(), instance=instance)
    if isinstance(exc, SuspiciousOperation):  # e.g. too many fields in a form body; its message is for our logs
        set_rollback()
        return _drf_problem(status=400, code="bad_request", instance=instance)
    if isinstance(exc, Http404):
        exc = drf.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf.PermissionDenied()

    response = drf_default_handler(exc, context)  # also rolls back
    if response is None or not isinstance(exc, drf.APIException):
        return None  # an unexpected error: Django's 500 handling logs it and answers problem+json
    code = next((c for klass, c in _DRF_CODES.items() if isinstance(exc, klass)), exc.default_code)
    headers = {name: response[name] for name in ("Retry-After", "WWW-Authenticate", "Allow") if name in response}
    if isinstance(exc, drf.ValidationError):
        return _drf_problem(status=400, code=code, detail="One or more fields are not valid.", instance=instance,
                            errors=field_errors(exc.detail), headers=headers)
    return _drf_problem(status=response.status_code, code=code, detail=str(exc.detail), instance=instance,
                        headers=headers)


def payload_too_large_detail() -> str:
    return f"The request body may be at most {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes."


def _drf_problem(*, headers: dict[str, str] | None = None, **fields: Any) -> Response:
    return Response(problem_body(**fields), status=fields["status"], headers=headers,
                    content_type=PROBLEM_CONTENT_TYPE)


def field_errors(detail: Any) -> dict[str, list[str]]:
    """Flatten DRF's nested error structure into {"field.sub": ["message", ...]}; list items by index."""
    flat: dict[str, list[str]] = {}

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, f"{path}.{key}" if path else str(key))
        elif isinstance(node, list) and all(not isinstance(item, dict | list) for item in node):
            if node:
                flat.setdefault(path or api_settings.NON_FIELD_ERRORS_KEY, []).extend(str(i) for i in node)
        elif isinstance(node, list):
            for index, item in enumerate(node):
                walk(item, f"{path}.{index}" if path else str(index))
        else:
            flat.setdefault(path or api_settings.NON_FIELD_ERRORS_KEY, []).append(str(node))

    walk(detail, "")
    return flat
