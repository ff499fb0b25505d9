"""A test-only API (urlconf for `@pytest.mark.urls`) that writes `Effect` rows, so tests can count them."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tests.probe.models import Effect
from transport.errors import Conflict, LimitExceeded
from transport.http.serializers import StrictModelSerializer, StrictSerializer, validated


class StopSerializer(StrictSerializer):
    name = serializers.CharField(max_length=40)


class EffectRequestSerializer(StrictSerializer):
    name = serializers.CharField(max_length=20)
    seats = serializers.IntegerField(min_value=1, max_value=10)
    stop = StopSerializer(required=False)


class EffectSerializer(StrictModelSerializer):
    class Meta:
        model = Effect
        fields = ["id", "name", "created_at"]
        read_only_fields = ["id", "created_at"]


class OpenView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]


class EffectCreateView(OpenView):
    def post(self, request: Request) -> Response:
        values = validated(EffectRequestSerializer, request.data)
        effect = Effect.objects.create(name=values["name"])
        return Response({"id": effect.id}, status=201)


class EffectModelCreateView(OpenView):
    def post(self, request: Request) -> Response:
        serializer = EffectSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        serializer.save()
        return Response(serializer.data, status=201)


class ConflictView(OpenView):
    def post(self, request: Request) -> Response:
        raise Conflict("Seat 4 is already held.", code="seat_taken", fields={"seat": ["Seat 4 is already held."]})


class LimitView(OpenView):
    def post(self, request: Request) -> Response:
        raise LimitExceeded("At most 6 holds per device.", retry_after=30)


class HalfWriteView(OpenView):
    def post(self, request: Request) -> Response:
        Effect.objects.create(name="half-written")
        raise Conflict("Changed my mind.")


class BrokenView(OpenView):
    def get(self, request: Request) -> Response:
        raise RuntimeError("a bug in a view")


class EffectListView(generics.ListAPIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    queryset = Effect.objects.order_by("id")
    serializer_class = EffectSerializer


@csrf_exempt
def raw_body_view(request: HttpRequest) -> JsonResponse:
    """A plain Django view under /api/: its errors go through the handler views, not DRF's handler."""
    Effect.objects.create(name=f"raw {len(request.body)} bytes")
    return JsonResponse({}, status=201)


urlpatterns = [
    path("api/v1/probe/effects", EffectCreateView.as_view()),
    path("api/v1/probe/model-effects", EffectModelCreateView.as_view()),
    path("api/v1/probe/effects/list", EffectListView.as_view()),
    path("api/v1/probe/conflict", ConflictView.as_view()),
    path("api/v1/probe/limit", LimitView.as_view()),
    path("api/v1/probe/half-write", HalfWriteView.as_view()),
    path("api/v1/probe/broken", BrokenView.as_view()),
    path("api/v1/probe/raw", raw_body_view),
]

handler400 = "transport.http.error_views.bad_request"
handler403 = "transport.http.error_views.permission_denied"
handler404 = "transport.http.error_views.page_not_found"
handler500 = "transport.http.error_views.server_error"
