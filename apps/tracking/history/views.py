"""A trip's track under /api/v1/tracking/, for the company's staff."""

from __future__ import annotations

from uuid import UUID

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.tracking.history import selectors
from apps.tracking.history.serializers import TrackIn, TrackOut
from transport.http.principal import principal_of
from transport.http.serializers import validated


class TripTrack(APIView):
    """The positions a trip's bus reported, in time order, with the distance along them and the time from the
    first to the last. Replay reads them in pages: pass the answer's `next_since` as `since` until it is null.
    Needs tracking.view_fleet in the trip's company; another company's trip is 404."""

    @extend_schema(parameters=[TrackIn], responses=TrackOut, summary="A trip's track (replay in pages)")
    def get(self, request: Request, trip_id: UUID) -> Response:
        values = validated(TrackIn, request.query_params.dict())
        track = selectors.trip_track_visible(principal=principal_of(request), trip_id=trip_id, **values)
        return Response(TrackOut(track).data)
