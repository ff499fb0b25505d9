"""The history's writer keeps a batch of fixes with one COPY, every field as the fix had it."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.tracking.fixes import Fix
from apps.tracking.history.writer import COPY_SQL, fixes_record
from apps.tracking.models import PositionRecord
from apps.tracking.tests.fixes import fix_at
from transport.testing.protocol_trace import statements_sent

START = datetime(2031, 3, 1, 6, 0, tzinfo=UTC)


def test_a_thousand_fixes_are_written_by_one_copy(db):
    # given
    company_id, bus_id, trip_id = uuid4(), uuid4(), uuid4()
    fixes = [fix_at(START + timedelta(seconds=n), company_id=company_id, bus_id=bus_id, trip_id=trip_id,
                    latitude=-1.0 + n / 10_000) for n in range(1000)]
    # when
    with CaptureQueriesContext(connection) as queries, statements_sent() as sent:
        written = fixes_record(fixes, live_flags=[n % 2 == 0 for n in range(1000)])
    # then
    assert written == 1000
    # (BEGIN when the test's transaction had sent nothing yet: the COPY is part of the caller's transaction)
    assert [sql.split()[0] for sql in sent if sql != "BEGIN"] == ["COPY"]
    assert [sql for sql in sent if sql.startswith("COPY")] == [COPY_SQL]
    assert not [query["sql"] for query in queries.captured_queries if "INSERT" in query["sql"].upper()]
    stored = list(PositionRecord.objects.filter(bus_id=bus_id).order_by("fixed_at")
                  .values_list("fixed_at", "latitude", "live"))
    assert stored == [(START + timedelta(seconds=n), -1.0 + n / 10_000, n % 2 == 0) for n in range(1000)]


def test_every_field_is_kept_as_the_fix_had_it(db):
    # given
    fix = Fix(company_id=uuid4(), bus_id=uuid4(), source="device:7d0f6f5e-0d3b-4f5c-9d53-3c8f1a3e2b10",
              latitude=-0.303099, longitude=36.080025, fixed_at=START, received_at=START + timedelta(seconds=9),
              trip_id=uuid4(), speed_kmh=72.5, heading=311.0, altitude_m=1850.25, accuracy_m=4.5,
              battery_percent=63.0)
    bare = Fix(company_id=fix.company_id, bus_id=fix.bus_id, source="user:3b1e", latitude=0.0, longitude=0.0,
               fixed_at=START + timedelta(seconds=1), received_at=START + timedelta(seconds=1))
    # when
    fixes_record([fix, bare], live_flags=[True, False])
    # then
    fields = ("company_id", "bus_id", "trip_id", "source", "latitude", "longitude", "fixed_at", "received_at",
              "speed_kmh", "heading", "altitude_m", "accuracy_m", "battery_percent", "live")
    rows = list(PositionRecord.objects.filter(bus_id=fix.bus_id).order_by("fixed_at").values_list(*fields))
    assert rows == [
        (fix.company_id, fix.bus_id, fix.trip_id, fix.source, -0.303099, 36.080025, START,
         START + timedelta(seconds=9), 72.5, 311.0, 1850.25, 4.5, 63.0, True),
        (fix.company_id, fix.bus_id, None, "user:3b1e", 0.0, 0.0, START + timedelta(seconds=1),
         START + timedelta(seconds=1), None, None, None, None, None, False),
    ]


def test_text_the_copy_format_would_read_as_a_separator_and_numbers_beyond_finite_are_kept_as_sent(db):
    # given
    bus_id = uuid4()
    odd = Fix(company_id=uuid4(), bus_id=bus_id, source="device:a\tb\\c\nd\re", latitude=-1.0, longitude=36.8,
              fixed_at=START, received_at=START, speed_kmh=math.inf, heading=-math.inf, altitude_m=math.nan,
              accuracy_m=-0.0, battery_percent=1e-07)
    # when
    fixes_record([odd])
    # then
    source, speed, heading, altitude, accuracy, battery = PositionRecord.objects.filter(bus_id=bus_id).values_list(
        "source", "speed_kmh", "heading", "altitude_m", "accuracy_m", "battery_percent").get()
    assert (source, speed, heading, accuracy, battery) == ("device:a\tb\\c\nd\re", math.inf, -math.inf, 0.0, 1e-07)
    assert math.isnan(altitude)


def test_fixes_of_several_buses_and_trips_in_one_batch_each_keep_their_own(db):
    # given
    first, second = (fix_at(START, trip_id=uuid4()), fix_at(START + timedelta(seconds=1), trip_id=None))
    # when
    fixes_record([first, second, first], live_flags=[True, False, False])
    # then
    rows = sorted(PositionRecord.objects.values_list("company_id", "bus_id", "trip_id", "source", "live"),
                  key=lambda row: (str(row[1]), row[4]))
    assert rows == sorted([(first.company_id, first.bus_id, first.trip_id, first.source, False),
                           (first.company_id, first.bus_id, first.trip_id, first.source, True),
                           (second.company_id, second.bus_id, None, second.source, False)],
                          key=lambda row: (str(row[1]), row[4]))


def test_without_live_flags_no_fix_is_live(db):
    # given
    bus_id = uuid4()
    # when
    fixes_record([fix_at(START, bus_id=bus_id), fix_at(START + timedelta(seconds=5), bus_id=bus_id)])
    # then
    assert list(PositionRecord.objects.filter(bus_id=bus_id).values_list("live", flat=True)) == [False, False]


def test_live_flags_of_another_length_are_refused_and_nothing_is_written(db):
    # given
    fixes = [fix_at(START), fix_at(START + timedelta(seconds=1))]
    # when
    with pytest.raises(ValueError, match="1 live flags for 2 fixes"):
        fixes_record(fixes, live_flags=[True])
    # then
    assert PositionRecord.objects.count() == 0


def test_an_empty_batch_sends_nothing(db):
    # when
    with statements_sent() as sent:
        written = fixes_record([])
    # then
    assert written == 0
    assert sent == []
