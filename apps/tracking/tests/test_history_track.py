"""A trip's track: its company's fixes in time order, the haversine distance along all of them, the time from
first to last, pages for replay; over HTTP for the company's staff holding tracking.view_fleet."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from uuid import uuid4

from apps.tracking.history.selectors import EARTH_RADIUS_M, TrackPoint, trip_track
from apps.tracking.history.writer import fixes_record
from apps.tracking.tests.fixes import fix_at

START = datetime(2031, 6, 1, 7, 0, tzinfo=UTC)
# metres of 0.01 degree along the equator or a meridian: the haversine of such a leg is R times its angle
LEG_M = EARTH_RADIUS_M * math.radians(0.01)


def _point(latitude: float, longitude: float, at: datetime) -> TrackPoint:
    return TrackPoint(latitude=latitude, longitude=longitude, fixed_at=at, speed_kmh=None, heading=None,
                      altitude_m=None, accuracy_m=None)


def test_the_track_is_the_trips_fixes_in_time_order_with_distance_and_duration(db):
    # given: written out of order (a late batch), one leg east along the equator, one north
    company_id, trip_id = uuid4(), uuid4()
    fixes_record([
        fix_at(START + timedelta(minutes=30), company_id=company_id, trip_id=trip_id, latitude=0.01, longitude=0.01),
        fix_at(START, company_id=company_id, trip_id=trip_id, latitude=0.0, longitude=0.0),
        fix_at(START + timedelta(minutes=10), company_id=company_id, trip_id=trip_id, latitude=0.0, longitude=0.01),
        fix_at(START, company_id=company_id, trip_id=uuid4(), latitude=5.0, longitude=5.0),  # another trip
        fix_at(START + timedelta(minutes=5), company_id=uuid4(), trip_id=trip_id, latitude=9.0, longitude=9.0),
    ])
    # when
    track = trip_track(trip_id=trip_id, company_id=company_id)
    # then
    assert track.points == (_point(0.0, 0.0, START), _point(0.0, 0.01, START + timedelta(minutes=10)),
                            _point(0.01, 0.01, START + timedelta(minutes=30)))
    assert track.point_count == 3
    assert math.isclose(track.distance_m, 2 * LEG_M, rel_tol=1e-12)
    assert round(track.distance_m, 3) == 2223.902
    assert track.duration == timedelta(minutes=30)
    assert (track.started_at, track.ended_at, track.next_since) == (START, START + timedelta(minutes=30), None)


def test_a_trip_with_no_fixes_has_an_empty_track(db):
    # when
    track = trip_track(trip_id=uuid4(), company_id=uuid4())
    # then
    assert (track.points, track.point_count, track.distance_m, track.duration) == ((), 0, 0.0, timedelta(0))
    assert (track.started_at, track.ended_at, track.next_since) == (None, None, None)


def test_replay_reads_the_points_in_pages_with_the_totals_of_the_whole_trip(db):
    # given: five fixes a minute apart along the equator
    company_id, trip_id = uuid4(), uuid4()
    fixes_record([fix_at(START + timedelta(minutes=n), company_id=company_id, trip_id=trip_id, latitude=0.0,
                         longitude=n / 100) for n in range(5)])
    # when
    first = trip_track(trip_id=trip_id, company_id=company_id, limit=2)
    second = trip_track(trip_id=trip_id, company_id=company_id, since=first.next_since, limit=2)
    third = trip_track(trip_id=trip_id, company_id=company_id, since=second.next_since, limit=2)
    # then
    assert [point.longitude for point in first.points] == [0.0, 0.01]
    assert [point.longitude for point in second.points] == [0.02, 0.03]
    assert [point.longitude for point in third.points] == [0.04]
    assert (first.next_since, second.next_since, third.next_since) == (
        START + timedelta(minutes=1), START + timedelta(minutes=3), None)
    assert {(page.point_count, page.duration) for page in (first, second, third)} == {(5, timedelta(minutes=4))}
    assert math.isclose(third.distance_m, 4 * LEG_M, rel_tol=1e-12)


def test_a_page_never_splits_the_fixes_of_one_instant(db):
    # given: the second and third fixes share their instant, and a page of two would cut between them
    company_id, trip_id = uuid4(), uuid4()
    at = [START, START + timedelta(seconds=10), START + timedelta(seconds=10), START + timedelta(seconds=20)]
    fixes_record([fix_at(moment, company_id=company_id, trip_id=trip_id, latitude=0.0, longitude=n / 100)
                  for n, moment in enumerate(at)])
    # when
    first = trip_track(trip_id=trip_id, company_id=company_id, limit=2)
    second = trip_track(trip_id=trip_id, company_id=company_id, since=first.next_since, limit=2)
    third = trip_track(trip_id=trip_id, company_id=company_id, since=second.next_since, limit=2)
    # then
    assert [point.longitude for point in first.points] == [0.0]
    assert [point.longitude for point in second.points] == [0.01, 0.02]
    assert [point.longitude for point in third.points] == [0.03]
    assert (first.next_since, second.next_since, third.next_since) == (START, START + timedelta(seconds=10), None)
