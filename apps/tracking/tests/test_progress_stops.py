"""A trip's progress along its stops, from its bus's reports: arrivals and departures recorded once with the
report's time, the trip departing when its bus leaves the first stop and arriving at the last, jitter at a
stop's edge, a stop passed unseen, late reports, finished trips."""

from __future__ import annotations

import pytest

from apps.tracking.progress.state import key, progress_read
from apps.tracking.tests.fleet import history, live_point
from apps.tracking.tests.road import (
    batch,
    between,
    departing,
    drive,
    events,
    minutes,
    north_of,
    stop_times,
    trip_status,
)
from transport.redis_client import quick_client

pytestmark = pytest.mark.django_db


def _left_nairobi(fleet, t):
    """The bus stands at the first stop before its departure time `t` and leaves it a minute after."""
    drive(fleet, (t - minutes(20), north_of("Nairobi", 0)), (t + minutes(1), north_of("Nairobi", 500)))


def test_the_bus_arrives_at_the_first_stop_and_its_leaving_departs_the_trip_once(fleet):
    t = departing(fleet, hours_ago=7)

    drive(fleet, (t - minutes(20), north_of("Nairobi", 0)), (t - minutes(15), north_of("Nairobi", 100)),
          (t + minutes(1), north_of("Nairobi", 500)), (t + minutes(3), north_of("Nairobi", 2000)),
          (t + minutes(5), north_of("Nairobi", 4000)))

    assert stop_times(fleet) == [(t - minutes(20), t + minutes(1)), (None, None), (None, None)]
    assert trip_status(fleet) == "departed"
    assert [(e["sequence"], e["at"]) for e in events("trip_stop_arrived")] == [(1, (t - minutes(20)).isoformat())]
    assert [(e["sequence"], e["at"]) for e in events("trip_stop_departed")] == [(1, (t + minutes(1)).isoformat())]
    assert [e["at"] for e in events("trip_departed")] == [(t + minutes(1)).isoformat()]


def test_moving_about_the_stage_before_the_trip_is_under_way_departs_nothing(fleet):
    t = departing(fleet, hours_ago=7)

    drive(fleet, (t - minutes(30), north_of("Nairobi", 0)), (t - minutes(20), north_of("Nairobi", 600)),
          (t - minutes(12), north_of("Nairobi", 300)))

    assert stop_times(fleet) == [(t - minutes(30), None), (None, None), (None, None)]
    assert trip_status(fleet) == "scheduled"
    assert events("trip_departed") == []
    assert events("trip_stop_departed") == []


def test_arriving_at_the_last_stop_arrives_the_trip_and_later_reports_change_nothing(fleet):
    t = departing(fleet, hours_ago=7)
    _left_nairobi(fleet, t)

    drive(fleet, (t + minutes(150), north_of("Nakuru", 100)), (t + minutes(156), between("Nakuru", "Kisumu", 0.01)),
          (t + minutes(362), north_of("Kisumu", 50)), (t + minutes(365), north_of("Kisumu", 400)),
          (t + minutes(370), north_of("Kisumu", 2000)))

    assert stop_times(fleet) == [(t - minutes(20), t + minutes(1)), (t + minutes(150), t + minutes(156)),
                                 (t + minutes(362), None)]
    assert trip_status(fleet) == "arrived"
    assert [e["sequence"] for e in events("trip_stop_arrived")] == [1, 2, 3]
    assert [e["sequence"] for e in events("trip_stop_departed")] == [1, 2]
    assert [e["at"] for e in events("trip_arrived")] == [(t + minutes(362)).isoformat()]
    assert progress_read(fleet.trip_id).done is True


def test_a_position_wavering_at_a_stops_edge_arrives_and_leaves_once(fleet):
    t = departing(fleet, hours_ago=7)
    _left_nairobi(fleet, t)

    drive(fleet, *[(t + minutes(150 + n), north_of("Nakuru", metres))
                   for n, metres in enumerate([140, 200, 145, 220, 100, 300, 140, 160])])

    assert stop_times(fleet)[1] == (t + minutes(150), t + minutes(155))
    assert [e["sequence"] for e in events("trip_stop_arrived")] == [1, 2]
    assert [e["sequence"] for e in events("trip_stop_departed")] == [1, 2]


def test_a_stop_passed_unseen_keeps_no_times_and_the_next_one_reached_is_recorded(fleet):
    t = departing(fleet, hours_ago=7)
    _left_nairobi(fleet, t)

    drive(fleet, (t + minutes(148), north_of("Nakuru", 3000)), (t + minutes(152), between("Nakuru", "Kisumu", 0.02)),
          (t + minutes(360), north_of("Kisumu", 0)))

    assert stop_times(fleet) == [(t - minutes(20), t + minutes(1)), (None, None), (t + minutes(360), None)]
    assert trip_status(fleet) == "arrived"
    assert [e["sequence"] for e in events("trip_stop_arrived")] == [1, 3]


def test_a_late_report_inside_a_stop_moves_nothing_along(fleet):
    t = departing(fleet, hours_ago=7)
    _left_nairobi(fleet, t)
    drive(fleet, (t + minutes(140), between("Nairobi", "Nakuru", 0.95)))

    outcomes = batch(fleet, (t + minutes(139), north_of("Nakuru", 0)))

    assert [o.outcome for o in outcomes] == ["late"]
    assert history(fleet.bus_id)[-2][2] == t + minutes(139)  # kept in the history all the same
    assert stop_times(fleet)[1] == (None, None)
    assert [e["sequence"] for e in events("trip_stop_arrived")] == [1]


def test_a_buffered_batch_through_a_stop_records_its_times_and_ignores_its_late_points(fleet):
    t = departing(fleet, hours_ago=7)
    _left_nairobi(fleet, t)

    outcomes = batch(fleet, (t + minutes(140), between("Nairobi", "Nakuru", 0.95)),
                     (t + minutes(149), north_of("Nakuru", 50)), (t + minutes(147), north_of("Nakuru", 10)),
                     (t + minutes(153), between("Nakuru", "Kisumu", 0.01)),
                     (t + minutes(158), between("Nakuru", "Kisumu", 0.03)))

    assert [o.outcome for o in outcomes] == ["accepted", "accepted", "late", "accepted", "accepted"]
    assert stop_times(fleet)[1] == (t + minutes(149), t + minutes(153))
    assert trip_status(fleet) == "departed"


def test_a_cancelled_trip_is_not_followed(fleet):
    t = departing(fleet, hours_ago=0.5)
    fleet.world.cancel_trip()

    drive(fleet, (t - minutes(20), north_of("Nairobi", 0)), (t + minutes(15), north_of("Nairobi", 500)))

    assert stop_times(fleet) == [(None, None)] * 3
    assert events("trip_stop_arrived") == []
    assert quick_client().exists(key(fleet.trip_id)) == 0


def test_a_trip_days_ahead_is_not_followed_yet(fleet):
    t = departing(fleet, hours_ago=-50)

    drive(fleet, (t - minutes(3000), north_of("Nairobi", 0)))

    assert stop_times(fleet) == [(None, None)] * 3
    assert quick_client().exists(key(fleet.trip_id)) == 0


def test_a_failing_progress_evaluation_loses_nothing_of_the_report(fleet, caplog):
    t = departing(fleet, hours_ago=7)
    quick_client().set(key(fleet.trip_id), "not a progress hash")  # every read of it fails in Redis

    outcomes = drive(fleet, (t - minutes(20), north_of("Nairobi", 0)))

    assert [o.outcome for o in outcomes] == ["accepted"]
    assert [row[2] for row in history(fleet.bus_id)] == [t - minutes(20)]
    assert live_point(fleet.bus_id) == (*north_of("Nairobi", 0), t - minutes(20))
    assert stop_times(fleet) == [(None, None)] * 3
    assert [r.message for r in caplog.records if r.name == "apps.tracking.progress.evaluate"] == [
        "Trip progress not evaluated"]
