"""The shapes of a trip's track: the replay query and the answer."""

from __future__ import annotations

from rest_framework import serializers

from apps.tracking.history.selectors import MAX_TRACK_POINTS
from transport.http.serializers import StrictSerializer


class TrackIn(StrictSerializer):
    since = serializers.DateTimeField(required=False, help_text="Only points fixed strictly after this time")
    limit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_TRACK_POINTS,
                                     default=MAX_TRACK_POINTS)


class TrackPointOut(serializers.Serializer):
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()
    fixed_at = serializers.DateTimeField()
    speed_kmh = serializers.FloatField(allow_null=True)
    heading = serializers.FloatField(allow_null=True)
    altitude_m = serializers.FloatField(allow_null=True)
    accuracy_m = serializers.FloatField(allow_null=True)


class TrackOut(serializers.Serializer):
    trip_id = serializers.UUIDField()
    points = TrackPointOut(many=True)
    point_count = serializers.IntegerField(help_text="Every point of the trip, over all pages")
    distance_m = serializers.FloatField(help_text="Metres along every point of the trip (great-circle legs)")
    duration_seconds = serializers.SerializerMethodField(help_text="From the trip's first point to its last")
    started_at = serializers.DateTimeField(allow_null=True)
    ended_at = serializers.DateTimeField(allow_null=True)
    next_since = serializers.DateTimeField(allow_null=True,
                                           help_text="Pass as `since` for the next page; null on the last page")

    def get_duration_seconds(self, track) -> float:
        return track.duration.total_seconds()
