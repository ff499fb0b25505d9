"""The principal of a DRF request, typed: the project's authentication classes put it on request.auth."""

from __future__ import annotations

from rest_framework.request import Request

from transport.principal import Principal


def principal_of(request: Request) -> Principal:
    """Who acts in this request: the authenticated principal, or the anonymous one when nobody authenticated
    (request.auth is None under AllowAny)."""
    auth = request.auth
    if auth is None:
        return Principal.anonymous()
    if not isinstance(auth, Principal):
        raise TypeError(f"request.auth holds {type(auth).__name__}: every authentication class returns a Principal")
    return auth
