"""With DEBUG on (`make run`), Django answers an exception raised by a view with its HTML debug page instead of
calling handler400/403/404/500. Under /api/ a client gets the same problem+json as in production; the traceback
goes to the log, as it does there. Without DEBUG this does nothing: Django calls the handlers itself."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse

from transport.http import error_views

logger = logging.getLogger("django.request")


class ApiProblemsInDebugMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not (settings.DEBUG and error_views.is_api_request(request)):
            return None
        if isinstance(exception, Http404):
            return error_views.page_not_found(request, exception)
        if isinstance(exception, PermissionDenied):
            return error_views.permission_denied(request, exception)
        if isinstance(exception, BadRequest | SuspiciousOperation):
            return error_views.bad_request(request, exception)
        logger.error("Internal Server Error: %s", request.path, exc_info=exception,
                     extra={"status_code": 500, "request": request})
        return error_views.server_error(request)
