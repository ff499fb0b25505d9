"""Test-only views: each side effect is one `Effect` row, so tests count exactly what ran."""

from __future__ import annotations

import threading

from django.http import StreamingHttpResponse
from rest_framework import viewsets
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tests.probe.models import Effect
from transport.errors import LimitExceeded, ValidationFailed
from transport.http.idempotency import idempotent


class Gate:
    """Holds requests inside their view until the test opens it, to make "still running" observable."""

    def __init__(self) -> None:
        self._arrivals = threading.Semaphore(0)
        self.opened = threading.Event()

    def pass_through(self) -> None:
        self._arrivals.release()
        # a safety net so a failing test cannot hang the run; tests open the gate long before
        self.opened.wait(timeout=30)

    def await_arrival(self) -> bool:
        """Wait until one more request is inside its view."""
        return self._arrivals.acquire(timeout=30)


gate = Gate()


def create_effect(request: Request) -> Response:
    name = request.data.get("name") if isinstance(request.data, dict) else None
    if not name:
        raise ValidationFailed(fields={"name": ["This field is required."]})
    effect = Effect.objects.create(name=name)
    return Response({"id": effect.id, "name": effect.name}, status=201)


def ready() -> bool:
    """Flaky views fail until the test creates the Effect named "ready"."""
    return Effect.objects.filter(name="ready").exists()


class EffectCreate(APIView):
    permission_classes = [AllowAny]

    @idempotent()
    def post(self, request: Request, tag: str = "") -> Response:
        return create_effect(request)


class OptionalKeyEffectCreate(APIView):
    permission_classes = [AllowAny]

    @idempotent(required=False)
    def post(self, request: Request) -> Response:
        return create_effect(request)


class GatedEffectCreate(APIView):
    permission_classes = [AllowAny]

    @idempotent()
    def post(self, request: Request) -> Response:
        gate.pass_through()
        return create_effect(request)


class ExplodingEffectCreate(APIView):
    permission_classes = [AllowAny]

    @idempotent()
    def post(self, request: Request) -> Response:
        if not ready():
            raise RuntimeError("the view failed before doing anything")
        return create_effect(request)


class UnavailableEffectCreate(APIView):
    permission_classes = [AllowAny]

    @idempotent()
    def post(self, request: Request) -> Response:
        if not ready():
            return Response({"detail": "a dependency is down"}, status=503)
        return create_effect(request)


class LimitedEffectCreate(APIView):
    permission_classes = [AllowAny]

    @idempotent()
    def post(self, request: Request) -> Response:
        if not ready():
            raise LimitExceeded(retry_after=5)
        return create_effect(request)


class NoContent(APIView):
    permission_classes = [AllowAny]

    @idempotent()
    def post(self, request: Request) -> Response:
        Effect.objects.create(name="no-content")
        return Response(status=204)


class StreamedEffectCreate(APIView):
    permission_classes = [AllowAny]

    @idempotent()
    def post(self, request: Request) -> StreamingHttpResponse:
        Effect.objects.create(name="streamed")
        return StreamingHttpResponse(iter([b"one ", b"two"]), content_type="text/plain")


class EffectViewSet(viewsets.ViewSet):
    permission_classes = [AllowAny]

    @action(detail=False, methods=["post"])
    @idempotent()
    def bulk(self, request: Request) -> Response:
        return create_effect(request)


@api_view(["POST"])
@permission_classes([AllowAny])
@idempotent()
def effect_function(request: Request) -> Response:
    return create_effect(request)


class AtomicEffectCreate(APIView):
    """The claim, the effect and the stored answer in one transaction."""

    permission_classes = [AllowAny]

    @idempotent(atomic=True)
    def post(self, request: Request) -> Response:
        return create_effect(request)


class AtomicGatedEffectCreate(APIView):
    permission_classes = [AllowAny]

    @idempotent(atomic=True)
    def post(self, request: Request) -> Response:
        effect = create_effect(request)  # written before the gate: uncommitted while it waits
        gate.pass_through()
        return effect


class AtomicUnavailableEffectCreate(APIView):
    """Writes its effect, then answers 503 until the test makes it ready: the effect must not stay."""

    permission_classes = [AllowAny]

    @idempotent(atomic=True)
    def post(self, request: Request) -> Response:
        response = create_effect(request)
        if not ready():
            return Response({"detail": "a dependency is down"}, status=503)
        return response
