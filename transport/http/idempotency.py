"""`@idempotent`: the Idempotency-Key header on DRF view methods, so a client may safely retry a POST.

    class BookingList(APIView):
        @idempotent()
        def post(self, request): ...

    @api_view(["POST"])
    @idempotent(required=False)
    def pay(request): ...

A key belongs to one caller (principal, else user, else client address) on one endpoint (method and
path). The first request with it runs; its answer (2xx-4xx, as rendered bytes) is stored and replayed to
the same request again with `Idempotent-Replayed: true`. The same key with another body answers 422,
while the first request still runs 409 with Retry-After, and a required key that is missing 400. An
answer that says "try again" (5xx, 429, Retry-After) or an exception is not stored: the claim is released.

`@idempotent(atomic=True)` is for a view whose whole effect is in this database (a hold, a POS sale): the
claim, the view's writes and the stored answer are one transaction, one commit. The same request arriving
meanwhile waits on the key's unique index for that commit and replays the answer (or runs, if the first
rolled back); only if the first is still running after TRANSPORT_IDEMPOTENCY_WAIT_MS is it told 409 with
Retry-After. An answer that is not stored rolls the view's writes back with the claim. A view that calls
out (a payment provider) keeps the default: its claim commits at once, so a retry sees it and gets 409.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.http import HttpResponse, HttpResponseBase, StreamingHttpResponse
from rest_framework.request import Request
from rest_framework.views import APIView

from transport.idempotency import store
from transport.idempotency.errors import (
    IdempotencyKeyInvalid,
    IdempotencyKeyMissing,
    IdempotencyKeyReused,
    IdempotencyRequestInProgress,
)
from transport.idempotency.models import IdempotencyRecord
from transport.principal import Principal

logger = logging.getLogger(__name__)

KEY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"

KEY_PATTERN = r"[\x20-\x7e]{1,255}"  # printable ASCII: a header value survives every proxy unchanged
_VALID_KEY = re.compile(KEY_PATTERN)
_SCOPE_MAX_LENGTH = IdempotencyRecord._meta.get_field("scope").max_length
# set again on every answer (by DRF, the middleware or the server), so a replay must not repeat them
_UNSTORED_HEADERS = frozenset({"allow", "vary", "content-length", "date", "set-cookie", "x-request-id"})

Handler = Callable[..., HttpResponseBase]

# set on the decorated handler: whether it requires the key (True) or accepts one (False); the OpenAPI
# schema reads it from there, so the documented header is the one the handler enforces
KEY_REQUIRED_ATTRIBUTE = "idempotency_key_required"


def idempotent(*, required: bool = True, atomic: bool = False) -> Callable[[Handler], Handler]:
    """Decorate a DRF view method or an @api_view function (below @api_view) with Idempotency-Key handling.

    It runs after authentication and permission checks, so the caller is known and a refused
    request claims nothing. Keep it outside any transaction.atomic around the handler: by default the claim
    must commit at once, so that a concurrent retry sees it and gets 409 instead of waiting on it; with
    `atomic` it opens the request's one transaction itself (the key is the first thing it locks).
    """

    def decorate(handler: Handler) -> Handler:
        @functools.wraps(handler)
        def wrapper(*args: Any, **kwargs: Any) -> HttpResponseBase:
            request = _drf_request(args)
            key = _idempotency_key(request, required=required)
            if key is None:
                return handler(*args, **kwargs)
            if atomic:
                return _run_in_one_transaction(request, key, lambda: handler(*args, **kwargs))
            claim = store.claim(scope=request_scope(request), key=key, request_hash=request_hash(request))
            if claim.outcome is not store.Outcome.CLAIMED:
                return _answer_decided(claim)
            return _run_and_store(request, claim, lambda: handler(*args, **kwargs))

        setattr(wrapper, KEY_REQUIRED_ATTRIBUTE, required)
        return wrapper

    return decorate


def key_requirement(handler: Any) -> bool | None:
    """True if `handler` requires an Idempotency-Key, False if it accepts one, None if it ignores the header."""
    return getattr(handler, KEY_REQUIRED_ATTRIBUTE, None)


def request_scope(request: Request) -> str:
    """Who calls which endpoint: one key on two endpoints, or from two callers, never collides."""
    scope = f"{_caller(request)} {request.method} {request.path}"
    if _SCOPE_MAX_LENGTH is not None and len(scope) > _SCOPE_MAX_LENGTH:
        scope = "sha256:" + hashlib.sha256(scope.encode()).hexdigest()
    return scope


def request_hash(request: Request) -> str:
    """What was asked: method, full path and the raw body bytes."""
    digest = hashlib.sha256()
    digest.update((request.method or "").encode())
    digest.update(b"\n")
    digest.update(request.get_full_path().encode())
    digest.update(b"\n")
    # the handler runs before DRF parses the body, so the raw bytes are still there; reading them
    # here keeps them cached for request.data
    digest.update(request.body)
    return digest.hexdigest()


def _caller(request: Request) -> str:
    for candidate in (request.auth, request.user):
        if isinstance(candidate, Principal) and candidate.is_authenticated:
            return f"{candidate.kind}:{candidate.id}"  # a device principal is scoped to the device
    user = request.user
    if user is not None and getattr(user, "is_authenticated", False):
        return f"user:{user.pk}"
    return f"address:{request.META.get('REMOTE_ADDR', '')}"


def _drf_request(args: tuple[Any, ...]) -> Request:
    # a view method gets (self, request, ...); an @api_view function gets (request, ...)
    for arg in args[:2]:
        if isinstance(arg, Request):
            return arg
    raise TypeError("@idempotent decorates DRF view methods and @api_view functions: no DRF Request was passed.")


def _idempotency_key(request: Request, *, required: bool) -> str | None:
    key = request.headers.get(KEY_HEADER)
    if key is None:
        if required:
            raise IdempotencyKeyMissing(f"Send an {KEY_HEADER} header, a new random value per distinct request.")
        return None
    if not _VALID_KEY.fullmatch(key):
        raise IdempotencyKeyInvalid()
    return key


def _run_and_store(request: Request, claim: store.Claim, run: Callable[[], Any]) -> HttpResponseBase:
    try:
        response = _run_rendered(request, run)
    except Exception:
        store.release(claim)
        raise
    if not _storable(response):
        store.release(claim)
        return response
    assert isinstance(response, HttpResponse)  # _storable refused a streaming answer
    if hasattr(response, "render"):
        response.render()
    if not store.complete(claim, status=response.status_code, body=response.content, headers=_headers(response)):
        logger.warning("idempotency claim was taken over before the request finished", extra={"path": request.path})
    return response


def _run_in_one_transaction(request: Request, key: str, run: Callable[[], Any]) -> HttpResponseBase:
    try:
        with transaction.atomic():
            claim = store.claim_in_transaction(scope=request_scope(request), key=key,
                                               request_hash=request_hash(request))
            if claim.outcome is not store.Outcome.CLAIMED:
                return _answer_decided(claim)
            response = _run_rendered(request, run)
            # a view whose failure broke the transaction (an error outside any savepoint) stores nothing either
            if not _storable(response) or transaction.get_rollback():
                transaction.set_rollback(True)
                return response
            assert isinstance(response, HttpResponse)  # _storable refused a streaming answer
            if hasattr(response, "render"):
                response.render()
            store.complete(claim, status=response.status_code, body=response.content, headers=_headers(response))
            return response
    except store.ClaimWaitExceeded:
        raise IdempotencyRequestInProgress("Retry shortly: the first request with this key is still running.") \
            from None


def _answer_decided(claim: store.Claim) -> HttpResponse:
    """The answer to a request whose key another request holds or held."""
    if claim.outcome is store.Outcome.REPLAY:
        return _replay(claim.response)
    if claim.outcome is store.Outcome.MISMATCH:
        raise IdempotencyKeyReused("Send a new Idempotency-Key for a request with a different body.")
    raise IdempotencyRequestInProgress("Retry shortly: the first request with this key is still running.")


def _run_rendered(request: Request, run: Callable[[], Any]) -> HttpResponseBase:
    """The view's answer, a raised error rendered as DRF's dispatch would (so a 4xx answer is stored like any
    other); an error DRF does not handle is re-raised by handle_exception and becomes a 500."""
    view: APIView = request.parser_context["view"]
    try:
        response = run()
    except Exception as exc:
        response = view.handle_exception(exc)
    return view.finalize_response(request, response, *view.args, **view.kwargs)


def _storable(response: HttpResponseBase) -> bool:
    if isinstance(response, StreamingHttpResponse):
        return False  # its content cannot be read without consuming it
    return response.status_code < 500 and response.status_code != 429 and not response.has_header("Retry-After")


def _headers(response: HttpResponseBase) -> dict[str, str]:
    return {name: value for name, value in response.items() if name.lower() not in _UNSTORED_HEADERS}


def _replay(stored: store.StoredResponse | None) -> HttpResponse:
    assert stored is not None  # a replay always carries the stored response
    response = HttpResponse(stored.body, status=stored.status)
    if not any(name.lower() == "content-type" for name in stored.headers):
        del response["Content-Type"]  # the first answer had no body type (e.g. 204): neither has its replay
    for name, value in stored.headers.items():
        response[name] = value
    response[REPLAYED_HEADER] = "true"
    return response
