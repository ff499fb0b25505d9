"""A driver's batch of positions, read and answered at the pace phones send them.

DRF validates a body field by field, through a dozen calls per value: a batch of a hundred points through
PositionsIn costs about 3 ms, more than all the rest of its ingestion. A phone's batch is nearly always plainly
valid: JSON numbers within their bounds, ISO 8601 times with an offset, no unknown field. Such a batch is read
here directly, by the bounds PointIn's fields declare (they stay the one statement of the limits, and of the
schema). Any other body, even a valid one in a rarer form ("1.5" as a string, a time without an offset, a UUID
as an integer), goes through PositionsIn as before, which accepts it or words the 400. So the quick reading
never lets through what the serializer refuses, and reads what it takes to the very reports the serializer's
values make (tests hold the two together over generated bodies)."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any
from uuid import UUID

from django.conf import settings
from django.utils import timezone
from rest_framework import fields
from rest_framework.renderers import JSONRenderer

from apps.tracking.ingest import SPELT, PointOutcome, PositionReport
from apps.tracking.serializers import (
    REPORT_ATTRIBUTES,
    FiniteFloatField,
    FixTimeField,
    PointIn,
    PositionsIn,
    position_reports,
)
from transport.http.serializers import validated


@dataclass(frozen=True)
class PositionsBatch:
    """A driver's batch as ingestion takes it."""

    trip_id: UUID
    reports: list[PositionReport]


@dataclass(frozen=True)
class _Number:
    """A number field of PointIn as the quick reading checks it; absent bounds are the largest finite floats,
    so that comparing with them refuses infinities and NaN as well."""

    low: float
    high: float
    nullable: bool


_POINT_FIELDS = PointIn().fields
_BODY_FIELDS = PositionsIn().fields


def _numbers() -> dict[str, _Number]:
    numbers: dict[str, _Number] = {}
    for name, field in _POINT_FIELDS.items():
        if isinstance(field, FiniteFloatField):
            low = -sys.float_info.max if field.min_value is None else field.min_value
            high = sys.float_info.max if field.max_value is None else field.max_value
            numbers[name] = _Number(low=low, high=high, nullable=field.allow_null)
        elif not isinstance(field, FixTimeField):  # a new kind of field needs its quick reading here
            raise TypeError(f"PointIn.{name} is a {type(field).__name__}, which the quick reading does not know")
    return numbers


def _min_points() -> int:
    points = _BODY_FIELDS["points"]
    assert isinstance(points, fields.ListField)
    return points.min_length or 0


_NUMBERS = _numbers()
# each field of a point: where in a report it goes, and its bounds (None for the fix time)
_FIELDS = {name: (PositionReport._fields.index(attribute), _NUMBERS.get(name))
           for name, attribute in REPORT_ATTRIBUTES.items()}
# a report's values before a point's are read: what a point leaves out is None, as a report's defaults say
_UNSAID = [None] * len(PositionReport._fields)
if any(default is not None for default in PositionReport._field_defaults.values()):
    raise TypeError("The quick reading leaves out what a point does not say as None, not a report's default")
_new_report = tuple.__new__
_REQUIRED = frozenset(name for name, field in _POINT_FIELDS.items() if field.required)
_BODY_KEYS = frozenset(_BODY_FIELDS)
_MIN_POINTS = _min_points()


class _NotPlain(Exception):
    """The body is not plainly valid: the serializer decides."""


def _report(point: Any, zone: tzinfo) -> PositionReport:
    if type(point) is not dict or not point.keys() >= _REQUIRED:
        raise _NotPlain
    read: list[Any] = _UNSAID.copy()
    for name, value in point.items():
        field = _FIELDS.get(name)
        if field is None:
            raise _NotPlain  # an unknown field
        position, number = field
        if number is None:
            # the fix time, as DRF's parser reads it first, when it has an offset (the serializer decides what one
            # without means)
            if type(value) is not str or "\x00" in value:
                raise _NotPlain
            try:
                parsed = datetime.fromisoformat(value)
            except ValueError:
                raise _NotPlain from None
            if parsed.tzinfo is None:  # what fromisoformat gives for a time without an offset
                raise _NotPlain
            try:
                read[position] = parsed.astimezone(zone)
            except OverflowError:
                raise _NotPlain from None
        # bool is a subclass of int but not the type of a JSON number; an int is compared before it is
        # converted, so that one too large for a float is left to the serializer's own answer
        elif (type(value) is float or type(value) is int) and number.low <= value <= number.high:
            read[position] = float(value)
        elif value is None and number.nullable:
            read[position] = None
        else:
            raise _NotPlain
    return _new_report(PositionReport, read)  # _make less its length check: read has a report's length


def _plain(data: Any) -> PositionsBatch:
    if type(data) is not dict or data.keys() != _BODY_KEYS:
        raise _NotPlain
    trip_id, points = data["trip_id"], data["points"]
    if type(trip_id) is not str or type(points) is not list \
            or not _MIN_POINTS <= len(points) <= settings.TRACKING_MAX_BATCH:
        raise _NotPlain
    try:
        trip = uuid.UUID(hex=trip_id)
    except ValueError:
        raise _NotPlain from None
    zone = timezone.get_current_timezone()  # the time zone DRF's DateTimeField converts into
    return PositionsBatch(trip_id=trip, reports=[_report(point, zone) for point in points])


def plain_batch(data: Any) -> PositionsBatch | None:
    """A plainly valid batch, read to the reports PositionsIn's values make; None for any other body."""
    try:
        return _plain(data)
    except _NotPlain:
        return None


def serializer_batch(data: Any) -> PositionsBatch:
    """A batch as PositionsIn validates it; its ValidationError (400) for a bad one."""
    values = validated(PositionsIn, data)
    return PositionsBatch(trip_id=values["trip_id"], reports=position_reports(values["points"]))


def batch_read(data: Any) -> PositionsBatch:
    """A batch of positions (trip_id, points), the quick way when it is plainly valid; PositionsIn's 400 for a
    bad one."""
    plain = plain_batch(data)
    return plain if plain is not None else serializer_batch(data)


def positions_answer(trip_id: UUID, outcomes: Sequence[PointOutcome]) -> dict[str, Any]:
    """The body PositionsOut documents: what became of each point."""
    return {"trip_id": str(trip_id),
            "points": [{"index": o.index, "outcome": o.outcome, "reason": o.reason} for o in outcomes]}


# the outcomes ingestion answers with, each encoded once as compact JSON after its point's index
# (',"outcome":"accepted","reason":null}'): a batch's answer repeats them a hundred times
_OUTCOMES_JSON = {spelt: "," + JSONRenderer().render({"outcome": spelt[0], "reason": spelt[1]}).decode()[1:]
                  for spelt in SPELT.values()}


def positions_answer_json(trip_id: UUID, outcomes: Sequence[PointOutcome]) -> bytes:
    """positions_answer as the JSON renderer writes it, for a fifth of its CPU: each point's outcome and reason
    are one of a few strings encoded once (any other goes through the renderer)."""
    try:
        points = ",".join(f'{{"index":{o.index}{_OUTCOMES_JSON[o.outcome, o.reason]}' for o in outcomes)
    except KeyError:
        return JSONRenderer().render(positions_answer(trip_id, outcomes))
    return f'{{"trip_id":"{trip_id}","points":[{points}]}}'.encode()
