"""`tracking_simulate` against a running server (pytest-django's live server): the simulated bus's tracker app
reports a whole trip by the OsmAnd protocol, and the filters take every fix into the live position and the
history along the route; a drive that cannot be honest is refused and sends nothing."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.test import APIClient

from apps.company import api as company_api
from apps.tracking import filters
from apps.tracking.filters import distance_m
from apps.tracking.simulation.plan import NOISE_M, drive_plan, trip_track
from apps.tracking.tests.fleet import build_fleet, history, live_point
from tests.worlds.tracking import stops_place, trip_board

# the live server's threads commit: the test reads what they wrote
pytestmark = pytest.mark.django_db(transaction=True)

# the fleet's three stops moved a couple of kilometres apart in Nairobi: a trip replayed in a few dozen fixes
PLACES = {"Nairobi": ("-1.286389", "36.817223"), "Nakuru": ("-1.270000", "36.830000"),
          "Kisumu": ("-1.255000", "36.845000")}
SLACK_M = 1e-6


@pytest.fixture
def fleet():
    fleet = build_fleet()
    stops_place(fleet.world, PLACES)
    trip_board(fleet.world)
    return fleet


def simulate(*args: str) -> str:
    out = StringIO()
    call_command("tracking_simulate", *args, stdout=out)
    return out.getvalue()


def replay_count(trip_id) -> int:
    trip = company_api.get_trip(trip_id=trip_id)
    return drive_plan(trip=trip, track=trip_track(trip), interval_s=5, speedup=None, limits=filters.thresholds(),
                      now=timezone.now()).pace.count


def nearest_m(rows, place: tuple[str, str]) -> float:
    return min(distance_m(lat, lon, float(place[0]), float(place[1])) for lat, lon, *_ in rows)


def test_once_replays_the_whole_trip_into_the_live_position_and_the_history_none_refused(fleet, live_server):
    expected = replay_count(fleet.trip_id)
    before = timezone.now()

    output = simulate("--trip", str(fleet.trip_id), "--once", "--base-url", live_server.url)

    after = timezone.now()
    rows = history(fleet.bus_id)
    assert 30 < expected == len(rows)  # every fix sent was accepted: none refused, none late
    # each moved the live position when it came, for the trip under way, from the tracker registered on its bus
    assert {row[3:] for row in rows} == {(fleet.trip_id, f"device:{fleet.tracker.pk}", True)}
    stamps = [row[2] for row in rows]
    assert [later - earlier for earlier, later in zip(stamps, stamps[1:], strict=False)] == \
        [timedelta(seconds=5)] * (expected - 1)
    assert before - timedelta(seconds=1) <= stamps[-1] <= after
    for town, place in PLACES.items():
        assert nearest_m(rows, place) <= NOISE_M + SLACK_M, town
    latitude, longitude, fixed_at = live_point(fleet.bus_id)
    assert distance_m(latitude, longitude, *map(float, PLACES["Kisumu"])) <= NOISE_M + SLACK_M
    assert fixed_at == stamps[-1]
    assert f"with tracker {fleet.tracker.identifier}: {expected} fixes 5 s apart" in output
    assert output.endswith(f"driven to Kisumu Stage: {expected} fixes sent, 0 given up.\n")


def test_once_without_a_trip_drives_the_trip_the_trackers_bus_is_on(fleet, live_server):
    expected = replay_count(fleet.trip_id)

    simulate("--tracker", fleet.tracker.identifier, "--once", "--base-url", live_server.url)

    assert len(history(fleet.bus_id)) == expected


def test_a_bus_last_seen_far_away_a_moment_ago_is_not_replayed(fleet, live_server):
    seen_at = timezone.now().replace(microsecond=0) - timedelta(seconds=30)
    # the bus reported from Thika, 40 km from the trip's origin, half a minute ago
    APIClient().get("/api/v1/tracking/osmand", {"id": fleet.tracker.identifier, "lat": "-1.039", "lon": "37.083",
                                                "timestamp": str(int(seen_at.timestamp()))})

    with pytest.raises(CommandError, match="too far from the trip's way to replay it now"):
        simulate("--trip", str(fleet.trip_id), "--once", "--base-url", live_server.url)

    assert history(fleet.bus_id) == [(-1.039, 37.083, seen_at, fleet.trip_id, f"device:{fleet.tracker.pk}", True)]


@pytest.mark.parametrize(("args", "says"), [
    (["--trip", "9b2f8f5e-0000-4000-8000-000000000000"], "No trip 9b2f8f5e-0000-4000-8000-000000000000."),
    (["--interval", "4"], "--interval from 5"),
    (["--interval", "3601"], "--interval from 5"),
    (["--speedup", "0"], "--speedup above 0"),
    (["--speedup", "nan"], "--speedup above 0"),
    (["--speedup", "1e300"], "--speedup above 0"),
    (["--dwell", "-1"], "--dwell from 0"),
    (["--tracker", "no-such-tracker"], "No active tracker 'no-such-tracker'"),
    (["--tracker", "bus\x00one"], "--tracker: 1 to 64 letters"),
    (["--tracker", "x" * 65], "--tracker: 1 to 64 letters"),
    (["--base-url", "ftp://127.0.0.1:21"], "--base-url: the server's"),
    (["--base-url", "http://"], "--base-url: the server's"),
    (["--base-url", "http://[::1"], "--base-url: the server's"),
])
def test_bad_options_are_refused_and_nothing_is_sent(fleet, live_server, args, says):
    defaults = ["--trip", str(fleet.trip_id)] if "--trip" not in args else []

    with pytest.raises(CommandError, match=says):
        simulate(*defaults, "--once", "--base-url", live_server.url, *args)  # a later --base-url wins

    assert history(fleet.bus_id) == []
    assert live_point(fleet.bus_id) is None


def test_a_tracker_on_another_bus_does_not_drive_the_trip(fleet, live_server):
    other = build_fleet()

    with pytest.raises(CommandError, match=f"Tracker '{other.tracker.identifier}' is on bus {other.bus_id}"):
        simulate("--trip", str(fleet.trip_id), "--tracker", other.tracker.identifier, "--once", "--base-url",
                 live_server.url)

    assert (history(fleet.bus_id), history(other.bus_id)) == ([], [])


def test_a_server_that_is_not_there_fails_the_replay(fleet):
    with pytest.raises(CommandError, match="The server did not answer"):
        simulate("--trip", str(fleet.trip_id), "--once", "--base-url", "http://127.0.0.1:9")

    assert history(fleet.bus_id) == []
