"""Public GTFS-Realtime endpoints, /api/v1/tracking/gtfs-rt/{slug}/...: no credential is read, as for the static
GTFS feed (company's gtfs.zip). The binary feed whatever the Accept header says; ?format=json for its JSON form;
an unknown company is a 404 problem."""

from __future__ import annotations

from typing import Any, ClassVar

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.views import APIView

from apps.tracking.gtfs_realtime.feeds import Feed, feed_bytes, json_form
from apps.tracking.gtfs_realtime.serializers import FeedFormatIn
from transport.http.serializers import validated

PROTOBUF = "application/x-protobuf"
_ANSWERS = {(200, PROTOBUF): OpenApiResponse(OpenApiTypes.BINARY, description="A GTFS-Realtime FeedMessage"),
            (200, "application/json"): OpenApiResponse(OpenApiTypes.OBJECT,
                                                       description="The FeedMessage in protobuf's JSON mapping")}


class _FeedView(APIView):
    authentication_classes: list[Any] = []  # public by design, like the static feed
    permission_classes = [AllowAny]
    feed: ClassVar[Feed]

    def perform_content_negotiation(self, request: Request, force: bool = False):
        # a feed reader asks for application/x-protobuf; the JSON renderer still answers its errors, not a 406
        return super().perform_content_negotiation(request, force=True)

    def answer(self, request: Request, slug: str) -> HttpResponse:
        wanted = validated(FeedFormatIn, request.query_params.dict())["format"]
        data = feed_bytes(slug=slug, feed=self.feed)
        if wanted == "json":
            return HttpResponse(json_form(data), content_type="application/json")
        return HttpResponse(data, content_type=PROTOBUF)


class VehiclePositionsFeed(_FeedView):
    feed = Feed.VEHICLE_POSITIONS

    @extend_schema(parameters=[FeedFormatIn], responses=_ANSWERS, summary="GTFS-Realtime vehicle positions")
    def get(self, request: Request, slug: str) -> HttpResponse:
        return self.answer(request, slug)


class TripUpdatesFeed(_FeedView):
    feed = Feed.TRIP_UPDATES

    @extend_schema(parameters=[FeedFormatIn], responses=_ANSWERS, summary="GTFS-Realtime trip updates")
    def get(self, request: Request, slug: str) -> HttpResponse:
        return self.answer(request, slug)


class AlertsFeed(_FeedView):
    feed = Feed.ALERTS

    @extend_schema(parameters=[FeedFormatIn], responses=_ANSWERS, summary="GTFS-Realtime service alerts")
    def get(self, request: Request, slug: str) -> HttpResponse:
        return self.answer(request, slug)
