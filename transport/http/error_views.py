"""Django's error views (handler400/403/404/500): problem+json under /api/, Django's own pages elsewhere.

DRF views answer their errors through `problems.exception_handler`; these cover what happens outside
them: a path no route matches, an error raised by middleware, an exception nothing handled.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.urls import Resolver404, resolve
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt

from transport.http.problems import payload_too_large_detail, problem_response

API_PREFIX = "/api/"


def is_api_request(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not is_api_request(request):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        return problem_response(status=413, code="payload_too_large", detail=payload_too_large_detail(),
                                instance=request.path)
    return problem_response(status=400, code="bad_request", instance=request.path)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not is_api_request(request):
        return defaults.permission_denied(request, exception)
    return problem_response(status=403, code="permission_denied", instance=request.path)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if not is_api_request(request):
        return defaults.page_not_found(request, exception)
    return problem_response(status=404, code="not_found", detail="No endpoint answers at this path.",
                            instance=request.path)


@csrf_exempt  # a POST to no endpoint is a 404, not a CSRF failure
def api_path_not_found(request: HttpRequest, unmatched: str = "") -> HttpResponse:
    """The last route under /api/: a path no endpoint answers is a 404 problem even with DEBUG on, where
    Django would otherwise answer its HTML debug page instead of calling handler404. A path that an endpoint
    answers with a trailing slash (/api/docs) is still redirected there, as APPEND_SLASH did before this route."""
    with_slash = f"{request.path_info}/"
    if settings.APPEND_SLASH and request.method in ("GET", "HEAD") and _answered_by_an_endpoint(with_slash):
        return HttpResponsePermanentRedirect(request.get_full_path(force_append_slash=True))
    return page_not_found(request, Http404())


def _answered_by_an_endpoint(path: str) -> bool:
    try:
        return resolve(path).func is not api_path_not_found
    except Resolver404:
        return False


def server_error(request: HttpRequest) -> HttpResponse:
    if not is_api_request(request):
        return defaults.server_error(request)
    # the exception itself was logged by django.request; the client gets only the id to quote
    return problem_response(status=500, code="server_error",
                            detail="An unexpected error occurred. Quote the request id when reporting it.",
                            instance=request.path)
