"""Request and answer bodies of tracking's endpoints. Every number must be finite and within what a GPS can
say: NaN, infinities and 1e308 are a 400, never a fix."""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from rest_framework import serializers

from apps.tracking.ingest import PositionReport
from apps.tracking.live import GEO_MAX_LATITUDE
from apps.tracking.models import DispatchMessage
from apps.tracking.trackers import IDENTIFIER_PATTERN
from transport.http.serializers import StrictSerializer

MAX_RADIUS_M = 100_000


class FiniteFloatField(serializers.FloatField):
    default_error_messages = {**serializers.FloatField.default_error_messages, "finite": "Give a finite number."}

    def to_internal_value(self, data: Any) -> float:
        value = super().to_internal_value(data)
        if not math.isfinite(value):
            self.fail("finite")
        return float(value)


class FixTimeField(serializers.DateTimeField):
    """An ISO 8601 time; one carrying a NUL byte is refused (Python's parser would drop what follows it)."""

    default_error_messages = {**serializers.DateTimeField.default_error_messages, "nul": "Remove the NUL byte."}

    def to_internal_value(self, value: Any) -> Any:
        if isinstance(value, str) and "\x00" in value:
            self.fail("nul")
        return super().to_internal_value(value)


def latitude_field(**kwargs: Any) -> FiniteFloatField:
    return FiniteFloatField(min_value=-90, max_value=90, **kwargs)


def longitude_field(**kwargs: Any) -> FiniteFloatField:
    return FiniteFloatField(min_value=-180, max_value=180, **kwargs)


def optional_float(low: float, high: float) -> FiniteFloatField:
    return FiniteFloatField(min_value=low, max_value=high, required=False, allow_null=True)


class TrackerIn(StrictSerializer):
    bus_id = serializers.UUIDField()
    identifier = serializers.RegexField(IDENTIFIER_PATTERN, max_length=64)
    name = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")
    company_id = serializers.UUIDField(required=False, help_text="Needed only by staff of several companies")


class TrackerOut(serializers.Serializer[Any]):
    id = serializers.UUIDField()
    company_id = serializers.UUIDField()
    bus_id = serializers.UUIDField()
    identifier = serializers.CharField()
    name = serializers.CharField()
    active = serializers.BooleanField()
    created_at = serializers.DateTimeField()


class PointIn(StrictSerializer):
    lat = latitude_field()
    lon = longitude_field()
    fixed_at = FixTimeField(help_text="The device's time of the fix, with its offset")
    speed_kmh = optional_float(0, 2_000)
    heading = optional_float(0, 360)
    altitude_m = optional_float(-1_000, 100_000)
    accuracy_m = optional_float(0, 1_000_000)
    battery_percent = optional_float(0, 100)


class PositionsIn(StrictSerializer):
    trip_id = serializers.UUIDField()
    points = serializers.ListField(child=PointIn(), min_length=1,
                                   help_text="At most TRACKING_MAX_BATCH points (500), oldest first")

    def validate_points(self, points: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if len(points) > settings.TRACKING_MAX_BATCH:
            raise serializers.ValidationError(f"Send at most {settings.TRACKING_MAX_BATCH} points at once.")
        return points


# the name of each of PointIn's fields in a PositionReport
REPORT_ATTRIBUTES = {name: {"lat": "latitude", "lon": "longitude"}.get(name, name) for name in PointIn().get_fields()}


def position_reports(points: list[dict[str, Any]]) -> list[PositionReport]:
    """The validated points of a PositionsIn as ingestion takes them (what a point leaves out is None)."""
    return [PositionReport(**{REPORT_ATTRIBUTES[name]: value for name, value in point.items()}) for point in points]


class PointOutcomeOut(serializers.Serializer[Any]):
    index = serializers.IntegerField()
    outcome = serializers.ChoiceField(choices=["accepted", "late", "refused"])
    reason = serializers.CharField(allow_null=True)


class PositionsOut(serializers.Serializer[Any]):
    trip_id = serializers.UUIDField()
    points = PointOutcomeOut(many=True)


class NearbyIn(StrictSerializer):
    # Redis's geo index covers the Web Mercator latitudes only; nothing is indexed nearer the poles
    lat = FiniteFloatField(min_value=-GEO_MAX_LATITUDE, max_value=GEO_MAX_LATITUDE)
    lon = longitude_field()
    radius_m = FiniteFloatField(min_value=1, max_value=MAX_RADIUS_M)
    company_id = serializers.UUIDField(required=False, help_text="Needed only by staff of several companies")


class LiveBusOut(serializers.Serializer[Any]):
    bus_id = serializers.UUIDField()
    trip_id = serializers.UUIDField(allow_null=True)
    lat = serializers.FloatField(source="latitude")
    lon = serializers.FloatField(source="longitude")
    fixed_at = serializers.DateTimeField()
    speed_kmh = serializers.FloatField(allow_null=True)
    heading = serializers.FloatField(allow_null=True)
    distance_m = serializers.FloatField(allow_null=True)


class NearbyOut(serializers.Serializer[Any]):
    buses = LiveBusOut(many=True)


class TripLiveOut(serializers.Serializer[Any]):
    trip_id = serializers.UUIDField()
    bus_id = serializers.UUIDField()
    position = LiveBusOut(allow_null=True)


class AckIn(StrictSerializer):
    message_id = serializers.UUIDField()


class DispatchIn(StrictSerializer):
    driver_id = serializers.UUIDField(help_text="The driver's user id")
    kind = serializers.ChoiceField(choices=DispatchMessage.Kind.choices)
    text = serializers.CharField(max_length=500, trim_whitespace=True)
    trip_id = serializers.UUIDField(required=False, allow_null=True,
                                    help_text="A trip the driver is assigned to, if the message is about one")
    company_id = serializers.UUIDField(required=False, help_text="Needed only by staff of several companies")


class DispatchListIn(StrictSerializer):
    driver_id = serializers.UUIDField(required=False)
    trip_id = serializers.UUIDField(required=False)
    unacknowledged = serializers.BooleanField(required=False, default=False)
    company_id = serializers.UUIDField(required=False, help_text="Needed only by staff of several companies")
    page = serializers.IntegerField(required=False, min_value=1, max_value=1_000_000)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=200)


class DispatchOut(serializers.ModelSerializer[DispatchMessage]):
    class Meta:
        model = DispatchMessage
        fields = ["id", "company_id", "driver_id", "trip_id", "kind", "text", "sent_by_id", "created_at",
                  "first_delivered_at", "delivery_count", "acknowledged_at"]


class StopEstimateOut(serializers.Serializer[Any]):
    sequence = serializers.IntegerField()
    stop_id = serializers.UUIDField()
    scheduled_arrival = serializers.DateTimeField()
    scheduled_departure = serializers.DateTimeField()
    arrived_at = serializers.DateTimeField(allow_null=True, help_text="As observed; null until then")
    departed_at = serializers.DateTimeField(allow_null=True, help_text="As observed; null until then")
    expected_arrival = serializers.DateTimeField(
        allow_null=True, help_text="Null for a stop passed unseen and on a cancelled trip")
    expected_departure = serializers.DateTimeField(
        allow_null=True, help_text="Null at the last stop, for a stop passed unseen and on a cancelled trip")


class TripEtaOut(serializers.Serializer[Any]):
    trip_id = serializers.UUIDField()
    stops = StopEstimateOut(many=True)
