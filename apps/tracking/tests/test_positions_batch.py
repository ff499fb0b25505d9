"""The quick reading of a driver's batch: it takes only bodies PositionsIn takes, reads them to the very reports
PositionsIn's values make (same numbers, same instants in the same time zone), and leaves every other body to
PositionsIn; the answer it builds is PositionsOut's."""

from __future__ import annotations

import dataclasses
import math
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import hypothesis
import pytest
from hypothesis import HealthCheck, given
from hypothesis import strategies as st
from rest_framework.renderers import JSONRenderer

from apps.tracking.ingest import SPELT, PointOutcome
from apps.tracking.positions_batch import (
    PositionsBatch,
    plain_batch,
    positions_answer,
    positions_answer_json,
    serializer_batch,
)
from apps.tracking.serializers import FiniteFloatField, PointIn, PositionsIn, PositionsOut

MAX_BATCH = 3
GENERATION = hypothesis.settings(max_examples=1500, derandomize=True, database=None, deadline=None,
                                 suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

EXTREME_NUMBERS: list[Any] = [
    2**63, -(2**63), 10**400, 1e308, -1e308, float("inf"), float("-inf"), float("nan"), -0.0, 0, -90, 90, -90.000001,
    90.000001, -180, 180, 180.5, 360, 360.01, 2_000, 100, 100.5, -1_000, 100_000, 1_000_000, 1_000_001, True, False,
    None, "1.5", " 2 ", "NaN", "Infinity", "-1.2\x00", "", "1" * 1_001, [], {}]
EXTREME_TIMES: list[Any] = [
    "9999-12-31T23:59:59-05:00", "9999-12-31T23:59:59+00:00", "9999-12-31T23:59:59Z",
    "9999-12-31T23:59:59.999999+14:00", "0001-01-01T00:00:00+05:00", "0001-01-01T00:00:00Z",
    "0001-01-01T00:00:00-01:00", "2026-02-29T00:00:00Z", "2028-02-29T12:00:00+03:00", "2026-02-30T00:00:00Z",
    "2026-12-31T23:59:60Z", "2026-01-01T24:00:00Z", "", "2026-01-01", "2026-01-01T00:00:00",
    "2026-01-01T00:00:00\x00", "2026-01-01T00:00:00Z\x00", "2026-01-01T08:30:00+03:00\x00",
    "2026-01-01\x0008:30:00+03:00", "2026-01-01T08:30:00\x00+03:00", "2026-01-01 08:30:00+03:00",
    "20260101T083000+0300", "2026-01-01T08:30:00.1234567+03:00", "2026-01-01T08:30+03", "2026-W01-1T00:00:00Z",
    "2026-01-01T08:30:00+25:00", 1_767_225_600, None, True, ["2026-01-01T00:00:00Z"]]

offsets = st.builds(timezone, st.timedeltas(min_value=-timedelta(hours=23, minutes=59),
                                            max_value=timedelta(hours=23, minutes=59)))
aware_times = st.builds(lambda at, zone: at.replace(tzinfo=zone).isoformat(),
                        st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)), offsets)
times = st.one_of(aware_times, st.datetimes().map(datetime.isoformat), st.sampled_from(EXTREME_TIMES), st.text())
numbers = st.one_of(st.floats(min_value=-200, max_value=200), st.integers(min_value=-200, max_value=200),
                    st.floats(), st.integers(), st.sampled_from(EXTREME_NUMBERS))
POINT_FIELDS = PointIn().fields


def _valid_number(name: str) -> st.SearchStrategy[Any]:
    field = POINT_FIELDS[name]
    assert isinstance(field, FiniteFloatField) and field.min_value is not None and field.max_value is not None
    within = st.one_of(st.floats(min_value=field.min_value, max_value=field.max_value),
                       st.integers(min_value=math.ceil(field.min_value), max_value=math.floor(field.max_value)))
    return within if field.required else st.one_of(within, st.none())


valid_points = st.fixed_dictionaries(
    {name: aware_times if name == "fixed_at" else _valid_number(name)
     for name, field in POINT_FIELDS.items() if field.required},
    optional={name: _valid_number(name) for name, field in POINT_FIELDS.items() if not field.required})


def _spoilt(point: dict[str, Any], name: str, value: Any, drop: bool) -> dict[str, Any]:
    spoilt = dict(point)
    if drop:
        spoilt.pop(name, None)
    else:
        spoilt[name] = value
    return spoilt


# a valid point with one field dropped or given an odd value, or an unknown field added
nearly_valid_points = st.builds(_spoilt, valid_points, st.sampled_from([*POINT_FIELDS, "odometer"]),
                                st.one_of(times, numbers), st.booleans())
points = st.one_of(valid_points, nearly_valid_points,
                   st.fixed_dictionaries({}, optional={name: st.one_of(times, numbers)
                                                       for name in [*POINT_FIELDS, "odometer"]}))
trip_ids = st.one_of(st.uuids().map(str), st.uuids().map(lambda u: u.hex), st.uuids().map(lambda u: u.urn),
                     st.uuids().map(lambda u: u.int), st.uuids().map(lambda u: str(u).upper()),
                     st.sampled_from(["", "not-a-uuid", "\x00", None, 7, []]))
bodies = st.one_of(
    st.fixed_dictionaries({"trip_id": trip_ids, "points": st.lists(points, max_size=MAX_BATCH + 1)}),
    st.fixed_dictionaries({}, optional={"trip_id": trip_ids, "points": st.lists(points, max_size=MAX_BATCH + 1),
                                        "note": st.text()}),
    st.fixed_dictionaries({"trip_id": trip_ids, "points": st.one_of(st.text(), st.dictionaries(st.text(), numbers),
                                                                    st.none(), st.lists(st.integers()))}),
    st.lists(points, max_size=2), st.text(), st.none(),
)


def exact(value: Any) -> Any:
    """`value` with what == overlooks spelt out: a time's zone and offset, a number's type and sign."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return exact({field.name: getattr(value, field.name) for field in dataclasses.fields(value)})
    if isinstance(value, tuple) and hasattr(value, "_asdict"):  # a named tuple (a report)
        return exact(value._asdict())
    if isinstance(value, dict):
        return {key: exact(item) for key, item in value.items()}
    if isinstance(value, list):
        return [exact(item) for item in value]
    if isinstance(value, datetime):
        return ("time", value.isoformat(), repr(value.tzinfo))
    return (type(value).__name__, repr(value))


def batch_by_serializer(body: Any) -> PositionsBatch | None:
    """The batch as PositionsIn reads it; None when it refuses the body."""
    if not PositionsIn(data=body).is_valid():
        return None
    return serializer_batch(body)


@GENERATION
@given(body=bodies)
def test_the_quick_reading_takes_only_what_the_serializer_takes_and_reads_it_alike(settings, body):
    settings.TRACKING_MAX_BATCH = MAX_BATCH

    quick = plain_batch(body)

    if quick is not None:
        assert exact(quick) == exact(batch_by_serializer(body))


@GENERATION
@given(trip_id=st.uuids(), points=st.lists(valid_points, min_size=1, max_size=MAX_BATCH))
def test_a_plainly_valid_batch_is_read_quickly_to_the_serializers_values(settings, trip_id, points):
    settings.TRACKING_MAX_BATCH = MAX_BATCH
    body = {"trip_id": str(trip_id), "points": points}

    quick = plain_batch(body)

    assert quick is not None
    assert exact(quick) == exact(batch_by_serializer(body))


def test_a_phones_batch_is_read_quickly():
    at = datetime(2026, 3, 1, 7, 0, tzinfo=UTC)
    body = {"trip_id": str(uuid.uuid4()), "points": [
        {"lat": -1.29 + n / 10_000, "lon": 36.82, "fixed_at": (at + timedelta(seconds=2 * n)).isoformat(),
         "speed_kmh": 36.0, "heading": 0.0, "accuracy_m": 5.0} for n in range(100)]}

    quick = plain_batch(body)

    assert quick is not None
    assert exact(quick) == exact(batch_by_serializer(body))


def test_every_extreme_value_in_any_field_is_refused_by_both_or_read_alike(settings):
    settings.TRACKING_MAX_BATCH = MAX_BATCH
    valid = {"lat": -1.29, "lon": 36.82, "fixed_at": "2026-03-01T10:00:00+03:00", "speed_kmh": 40.0}
    trip_id = str(uuid.uuid4())
    read_quickly = 0

    for name in [*POINT_FIELDS, "odometer"]:
        for value in [*EXTREME_TIMES, *EXTREME_NUMBERS]:
            body = {"trip_id": trip_id, "points": [valid, {**valid, name: value}]}
            quick = plain_batch(body)
            if quick is not None:
                read_quickly += 1
                assert exact(quick) == exact(batch_by_serializer(body)), (name, value)

    assert read_quickly > 0


@pytest.mark.parametrize("body", [
    {"trip_id": "6f1c1f3e-5a4e-4c7e-9a0e-3b1f2d6c8a90", "points": [
        {"lat": "-1.29", "lon": 36.82, "fixed_at": "2026-03-01T10:00:00+03:00"}]},  # a number as a string
    {"trip_id": "6f1c1f3e-5a4e-4c7e-9a0e-3b1f2d6c8a90", "points": [
        {"lat": -1.29, "lon": 36.82, "fixed_at": "2026-03-01T10:00:00"}]},  # a time without an offset
    {"trip_id": 147_573_952_589_676_412_928, "points": [
        {"lat": -1.29, "lon": 36.82, "fixed_at": "2026-03-01T10:00:00Z"}]},  # a UUID as an integer
])
def test_a_valid_body_in_a_rarer_form_is_left_to_the_serializer(body):
    assert plain_batch(body) is None
    assert batch_by_serializer(body) is not None


def test_the_answer_is_the_one_positions_out_documents():
    trip_id = uuid.uuid4()
    outcomes = [PointOutcome(index=0, outcome="accepted", reason=None), PointOutcome(index=1, outcome="late",
                                                                                     reason=None),
                PointOutcome(index=2, outcome="refused", reason="zero_fix")]

    assert positions_answer(trip_id, outcomes) == PositionsOut({"trip_id": trip_id, "points": outcomes}).data


@pytest.mark.parametrize("outcomes", [
    [PointOutcome(index, *spelt) for index, spelt in enumerate(SPELT.values())],  # every answer ingestion gives
    [PointOutcome(index=7, outcome="odd \" \u00e9 \u2028", reason="\\ \n")],  # one it never gives: the renderer's
    [],
])
def test_the_encoded_answer_is_the_renderers_json_of_positions_out(outcomes):
    trip_id = uuid.uuid4()

    assert positions_answer_json(trip_id, outcomes) == \
        JSONRenderer().render(PositionsOut({"trip_id": trip_id, "points": outcomes}).data)
