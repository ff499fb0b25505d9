"""Public HTTP endpoints of the seat inventory under /api/v1/: trip search and seat maps."""

from __future__ import annotations

from uuid import UUID

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.ticketing.inventory import selectors as availability
from apps.ticketing.inventory.serializers import SeatMapIn, SeatMapOut, TripFoundOut, TripSearchIn
from transport.http.serializers import validated


def _places(request: Request) -> dict:
    """The query's from/to under serializer-friendly names ("from" is a Python keyword)."""
    names = {"from": "origin", "to": "destination"}
    return {names.get(key, key): value for key, value in request.query_params.items()}


def _place(value: str) -> tuple[list[UUID], str | None]:
    try:
        return [UUID(value)], None
    except ValueError:
        return [], value


class TripSearch(APIView):
    """Public: trips across companies between two stops or towns on a date."""

    permission_classes = [AllowAny]

    @extend_schema(parameters=[OpenApiParameter("from", str, required=True), OpenApiParameter("to", str, required=True),
                               OpenApiParameter("date", OpenApiTypes.DATE, required=True)],
                   responses=TripFoundOut(many=True), summary="Search trips with seats left and the lowest fare")
    def get(self, request: Request) -> Response:
        values = validated(TripSearchIn, _places(request))
        from_ids, from_town = _place(values["origin"])
        to_ids, to_town = _place(values["destination"])
        found = availability.trips_search(on=values["date"], from_stop_ids=from_ids, to_stop_ids=to_ids,
                                          from_town=from_town, to_town=to_town)
        return Response(TripFoundOut(found, many=True).data)


class SeatMapView(APIView):
    """Public: a trip's seats and their state on a stretch."""

    permission_classes = [AllowAny]

    @extend_schema(parameters=[OpenApiParameter("from", OpenApiTypes.UUID), OpenApiParameter("to", OpenApiTypes.UUID)],
                   responses=SeatMapOut, summary="A trip's seat map for a stretch")
    def get(self, request: Request, trip_id: UUID) -> Response:
        values = validated(SeatMapIn, _places(request))
        found = availability.seat_map(trip_id=trip_id, from_stop_id=values.get("origin"),
                                      to_stop_id=values.get("destination"))
        return Response(SeatMapOut(found).data)
