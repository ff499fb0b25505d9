"""Serializers that refuse what they do not know: a misspelt or stale field is an error, not silence.

Every API serializer inherits `StrictSerializer` or `StrictModelSerializer`. A key in the body that
names no field of the serializer is reported as {"<key>": ["Unknown field."]} next to the other field
errors (400 validation_failed). Read-only fields are known, so a client may send back what it read.
Nested strict serializers report theirs under the dotted path ("address.flat"). Views read a body with
`validated(SomeIn, request.data)`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

UNKNOWN_FIELD_MESSAGE = "Unknown field."
# Dates a client may send. The server adds a trip's duration (a week at most), a time zone and a day to a date,
# and all of it must stay inside Python's calendar (years 1 to 9999): a date near either end is refused here.
FIRST_DATE = date(1900, 1, 1)
LAST_DATE = date(9999, 12, 1)
MAX_MINOR_UNITS = 2**63 - 1  # the largest amount a bigint column holds
LOCAL_TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"


class StrictSerializer(serializers.Serializer[Any]):
    """Add "Unknown field." errors to the ones the serializer finds itself."""

    def to_internal_value(self, data: Any) -> Any:
        unknown = _unknown_keys(data, known=self.fields.keys())
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if unknown and isinstance(exc.detail, dict):
                exc.detail.update({key: [serializers.ErrorDetail(UNKNOWN_FIELD_MESSAGE, code="unknown")]
                                   for key in unknown})
            raise
        if unknown:
            raise serializers.ValidationError({key: [UNKNOWN_FIELD_MESSAGE] for key in unknown}, code="unknown")
        return value


class StrictModelSerializer(StrictSerializer, serializers.ModelSerializer[Any]):
    pass


def validated(serializer_class: type[serializers.Serializer[Any]], data: Any) -> dict[str, Any]:
    """`data` as `serializer_class` validates it; a ValidationError (400 validation_failed) otherwise."""
    # never partial=True: DRF would pass it down to nested serializers, letting a nested body through with
    # required fields missing; a serializer of changes makes its own fields optional instead
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _unknown_keys(data: Any, *, known: Any) -> list[str]:
    if not isinstance(data, Mapping):
        return []  # the serializer itself answers "Expected a dictionary" for a list or a string
    return sorted(str(key) for key in data if key not in known)


@extend_schema_field({"type": "string", "pattern": LOCAL_TIME_PATTERN, "example": "07:30",
                      "description": "HH:MM[:SS], the company's local time, without an offset"})
class LocalTimeField(serializers.TimeField):
    """A wall-clock time of the company (a departure): an offset such as "07:00Z" is refused, not dropped, so a
    client meaning 10:00 in Nairobi never gets a 07:00 departure."""

    default_error_messages = {
        **serializers.TimeField.default_error_messages,
        "local": "Give the company's local time as HH:MM or HH:MM:SS, without an offset.",
    }

    def to_internal_value(self, value: Any) -> Any:
        if isinstance(value, str) and not re.fullmatch(LOCAL_TIME_PATTERN, value):
            self.fail("local")
        return super().to_internal_value(value)


class MinorUnitsField(serializers.IntegerField):
    """An amount of money in minor units (cents): never negative, never more than the database can hold."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", MAX_MINOR_UNITS)
        super().__init__(**kwargs)


@extend_schema_field({"type": "string", "format": "date",
                      "description": f"A date from {FIRST_DATE.isoformat()} to {LAST_DATE.isoformat()}"})
class CalendarDateField(serializers.DateField):
    """A date the server can compute with: from FIRST_DATE to LAST_DATE."""

    default_error_messages = {
        **serializers.DateField.default_error_messages,
        "out_of_calendar": f"Give a date from {FIRST_DATE.isoformat()} to {LAST_DATE.isoformat()}.",
    }

    def to_internal_value(self, value: Any) -> date:
        parsed = super().to_internal_value(value)
        if not FIRST_DATE <= parsed <= LAST_DATE:
            self.fail("out_of_calendar")
        return parsed
