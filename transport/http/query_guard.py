"""Refuse a query string that carries a NUL character, before any view reads it.

PostgreSQL cannot store or compare a string with NUL in it, so `?role=%00` read by a view without a
serializer (DRF's CharField refuses NUL itself) would end as a database error, a 500. One check here covers
every view: a 400 problem under /api/, Django's plain 400 page elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

from transport.http.error_views import is_api_request
from transport.http.problems import problem_response

NUL = "\x00"


class RefuseNulInQueryMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if any(NUL in key or any(NUL in value for value in values) for key, values in request.GET.lists()):
            if is_api_request(request):
                return problem_response(status=400, code="malformed_request",
                                        detail="The query string contains a NUL character.", instance=request.path)
            return HttpResponseBadRequest()
        return self.get_response(request)
