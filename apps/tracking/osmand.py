"""The OsmAnd protocol as Traccar's OsmAnd port accepts it: a GET or POST whose query or form carries `id`,
`lat`, `lon`, `timestamp`, `speed` (knots), `bearing`, `altitude`, `accuracy`, `batt`. Tracker apps also send
fields of their own (`hdop`, `charge`, ...): those are ignored, not refused, or the apps would stop working."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework import serializers

from apps.tracking.ingest import PositionReport
from apps.tracking.serializers import FiniteFloatField, latitude_field, longitude_field, optional_float
from apps.tracking.trackers import IDENTIFIER_PATTERN

KMH_PER_KNOT = 1.852
# Traccar's rule: a number below 2^31 counts seconds since the epoch, a larger one milliseconds
_SECONDS_BELOW = 2**31
_NUMBER = re.compile(r"\d{1,16}(\.\d{1,9})?")


class OsmAndTimeField(serializers.Field[datetime, str, str, Any]):
    """Unix seconds (or milliseconds), or ISO 8601 (without an offset: UTC)."""

    default_error_messages = {"invalid": "Give unix seconds or an ISO 8601 time."}

    def to_internal_value(self, data: Any) -> datetime:
        text = str(data)
        if "\x00" in text:  # Python's ISO parser would drop what follows it
            self.fail("invalid")
        try:
            if _NUMBER.fullmatch(text):
                number = float(text)
                return datetime.fromtimestamp(number if number < _SECONDS_BELOW else number / 1000, tz=UTC)
            parsed = parse_datetime(text)
        except (ValueError, OverflowError, OSError):
            self.fail("invalid")
        if parsed is None:
            self.fail("invalid")
        return parsed if timezone.is_aware(parsed) else parsed.replace(tzinfo=UTC)

    def to_representation(self, value: datetime) -> str:
        return value.isoformat()


# not strict: tracker apps add fields of their own (see the module's docstring)
class OsmAndIn(serializers.Serializer[Any]):
    id = serializers.RegexField(IDENTIFIER_PATTERN, max_length=64, help_text="The registered tracker's identifier")
    lat = latitude_field()
    lon = longitude_field()
    timestamp = OsmAndTimeField(required=False, help_text="Unix seconds or ISO 8601; the server's time if absent")
    speed = FiniteFloatField(min_value=0, max_value=1_000, required=False, help_text="Knots")
    bearing = optional_float(0, 360)
    altitude = optional_float(-1_000, 100_000)
    accuracy = optional_float(0, 1_000_000)
    batt = optional_float(0, 100)


def report_of(values: dict[str, Any]) -> PositionReport:
    speed = values.get("speed")
    return PositionReport(
        latitude=values["lat"], longitude=values["lon"], fixed_at=values.get("timestamp") or timezone.now(),
        speed_kmh=None if speed is None else speed * KMH_PER_KNOT, heading=values.get("bearing"),
        altitude_m=values.get("altitude"), accuracy_m=values.get("accuracy"), battery_percent=values.get("batt"),
    )
