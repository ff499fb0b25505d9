"""HTTP endpoints of tracking under /api/v1/tracking/: positions from tracker apps (OsmAnd protocol) and from
drivers' devices, trackers registered by staff, and the fleet's live positions."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.parsers import FormParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.tracking import reporting, trackers
from apps.tracking.osmand import OsmAndIn, report_of
from apps.tracking.positions_batch import batch_read, positions_answer_json
from apps.tracking.serializers import (
    NearbyIn,
    NearbyOut,
    PositionsIn,
    PositionsOut,
    TrackerIn,
    TrackerOut,
    TripEtaOut,
    TripLiveOut,
)
from transport.http.principal import principal_of
from transport.http.serializers import validated


class OsmAndReport(APIView):
    """A tracker app (Traccar Client, OsmAnd, a GPS box) reports a fix by the OsmAnd protocol, in the query or
    a form body. The registered `id` is the credential: an unknown or inactive one is a 404 and records
    nothing. A fix the filters refuse is still a 200: the report itself went fine, and a tracker app resends
    whatever is not answered 200."""

    authentication_classes: list[Any] = []  # the tracker's id is its credential; headers are not read
    permission_classes = [AllowAny]
    parser_classes = [FormParser]

    def _report(self, values: dict[str, Any]) -> HttpResponse:
        report = validated(OsmAndIn, values)
        reporting.tracker_report(identifier=report["id"], report=report_of(report))
        return HttpResponse(status=200)

    @extend_schema(parameters=[OsmAndIn], request=None, responses={200: OpenApiResponse(description="Recorded")},
                   summary="Report a position by the OsmAnd protocol (query)")
    def get(self, request: Request) -> HttpResponse:
        return self._report(request.query_params.dict())

    @extend_schema(parameters=[OsmAndIn], request=None, responses={200: OpenApiResponse(description="Recorded")},
                   summary="Report a position by the OsmAnd protocol (query or form)")
    def post(self, request: Request) -> HttpResponse:
        form = request.data.dict() if hasattr(request.data, "dict") else {}
        return self._report({**request.query_params.dict(), **form})


class DriverPositions(APIView):
    """The trip's assigned driver (their device's credential or their bearer token) reports positions: live,
    or buffered while offline, with the device's times. Each point is answered `accepted`, `late` (recorded,
    but older than the live position, which it never moves back) or `refused` with the filter's reason."""

    @extend_schema(request=PositionsIn, responses=PositionsOut, summary="Report a trip's positions")
    def post(self, request: Request) -> HttpResponse:
        batch = batch_read(request.data)
        outcomes = reporting.driver_positions_report(principal=principal_of(request), trip_id=batch.trip_id,
                                                     reports=batch.reports)
        # the body PositionsOut documents, encoded here: the JSON renderer spent five times the CPU on it
        return HttpResponse(positions_answer_json(batch.trip_id, outcomes), content_type="application/json")


class TrackerList(APIView):
    """Register a tracker app on a bus of the company (tracking.manage_trackers)."""

    @extend_schema(request=TrackerIn, responses={201: TrackerOut}, summary="Register a tracker device")
    def post(self, request: Request) -> Response:
        values = validated(TrackerIn, request.data)
        principal = principal_of(request)
        company_id = reporting.staff_company(principal=principal, company_id=values.get("company_id"))
        tracker = trackers.tracker_register(principal=principal, company_id=company_id, bus_id=values["bus_id"],
                                            identifier=values["identifier"], name=values["name"])
        return Response(TrackerOut(tracker).data, status=201)


class FleetNearby(APIView):
    """The company's buses within `radius_m` metres of a point, nearest first (tracking.view_fleet)."""

    @extend_schema(parameters=[NearbyIn], responses=NearbyOut, summary="Buses near a point")
    def get(self, request: Request) -> Response:
        values = validated(NearbyIn, request.query_params.dict())
        buses = reporting.fleet_nearby(principal=principal_of(request), company_id=values.get("company_id"),
                                       latitude=values["lat"], longitude=values["lon"], radius_m=values["radius_m"])
        return Response(NearbyOut({"buses": buses}).data)


class TripLive(APIView):
    """The last known position of a trip's bus, for the trip's company staff (`position` null until it reports)."""

    @extend_schema(responses=TripLiveOut, summary="A trip's live position")
    def get(self, request: Request, trip_id: UUID) -> Response:
        found = reporting.trip_position(principal=principal_of(request), trip_id=trip_id)
        return Response(TripLiveOut(found).data)


class TripEta(APIView):
    """When a trip's bus is expected at each of its stops, beside the timetable and what was observed, for the
    trip's company staff. Expected from the bus's progress and recent speed; the timetable shifted by the
    announced delay until the bus is seen."""

    @extend_schema(responses=TripEtaOut, summary="A trip's expected times at its stops")
    def get(self, request: Request, trip_id: UUID) -> Response:
        found = reporting.trip_eta(principal=principal_of(request), trip_id=trip_id)
        return Response(TripEtaOut(found).data)
