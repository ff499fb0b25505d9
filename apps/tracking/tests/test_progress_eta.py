"""Expected times at a trip's stops from its bus's progress and recent speed, the delay announced when the
bus slips past the company's threshold (once, not on every report), and the staff's ETA endpoint."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from apps.company import api as company_api
from apps.tracking import api
from apps.tracking.filters import distance_m
from apps.tracking.history.writer import COPY_SQL
from apps.tracking.tests.road import between, departing, drive, events, minutes, north_of, trip_status
from tests.worlds.boarding import delay
from tests.worlds.tracking import PLACES, trip_depart
from transport.testing.protocol_trace import statements_sent

pytestmark = pytest.mark.django_db

LEG_M = distance_m(*PLACES["Nairobi"], *PLACES["Nakuru"])  # the straight line; the road is 160 km


def _cruise(fleet, *, kmh: float, until: datetime) -> None:
    """Reports every 30 seconds for three minutes, at `kmh` towards Nakuru, the last one half way there."""
    step = kmh * 1000 / 120 / LEG_M  # the fraction of the straight line covered in 30 seconds
    drive(fleet, *[(until - timedelta(seconds=30 * n), between("Nairobi", "Nakuru", 0.5 - n * step))
                   for n in range(6, -1, -1)])


def _near(found: datetime | None, expected: datetime) -> bool:
    """Within a minute: the straight line on the map is not quite the great circle the distances are taken on."""
    return found is not None and abs(found - expected) < timedelta(minutes=1)


@pytest.mark.parametrize(("kmh", "to_nakuru"), [(80, minutes(60)), (40, minutes(120))])
def test_the_expected_arrival_moves_with_the_bus_s_speed(fleet, kmh, to_nakuru):
    departing(fleet, hours_ago=1)
    trip_depart(fleet.world)
    last = timezone.now().replace(microsecond=0) - minutes(1)

    _cruise(fleet, kmh=kmh, until=last)

    nairobi, nakuru, kisumu = api.trip_estimates(trip_id=fleet.trip_id)
    assert (nairobi.expected_arrival, nairobi.expected_departure) == (None, None)  # left unseen
    assert _near(nakuru.expected_arrival, last + to_nakuru)  # 80 km of road to go
    assert nakuru.expected_departure == nakuru.expected_arrival
    assert kisumu.expected_arrival == nakuru.expected_arrival + minutes(210)  # then the timetable's run
    assert kisumu.expected_departure is None


def test_a_standing_bus_is_expected_at_the_timetables_speed(fleet):
    departing(fleet, hours_ago=1)
    trip_depart(fleet.world)
    last = timezone.now().replace(microsecond=0) - minutes(1)

    drive(fleet, *[(last - timedelta(seconds=30 * n), between("Nairobi", "Nakuru", 0.5)) for n in range(6, -1, -1)])

    nakuru = api.trip_estimates(trip_id=fleet.trip_id)[1]
    assert _near(nakuru.expected_arrival, last + minutes(75))  # 80 km at the leg's 64 km/h


def test_a_stop_is_never_expected_before_now(fleet):
    t = departing(fleet, hours_ago=3)
    trip_depart(fleet.world)
    drive(fleet, (t + minutes(100), between("Nairobi", "Nakuru", 0.95)))
    before = timezone.now()

    nakuru, kisumu = api.trip_estimates(trip_id=fleet.trip_id)[1:]

    assert nakuru.expected_arrival is not None
    assert before <= nakuru.expected_arrival <= timezone.now()
    assert kisumu.expected_arrival == nakuru.expected_arrival + minutes(210)


def test_a_bus_past_a_stop_it_was_not_seen_at_is_expected_at_the_next(fleet):
    t = departing(fleet, hours_ago=2.5)
    trip_depart(fleet.world)

    drive(fleet, (t + minutes(146), between("Nakuru", "Kisumu", 0.1)))

    nakuru, kisumu = api.trip_estimates(trip_id=fleet.trip_id)[1:]
    assert (nakuru.arrived_at, nakuru.expected_arrival, nakuru.expected_departure) == (None, None, None)
    assert _near(kisumu.expected_arrival, t + minutes(146 + 189))  # 171 km of road at the leg's 54.3 km/h


def test_before_the_bus_is_seen_the_timetable_is_shifted_by_the_announced_delay(fleet):
    delay(fleet.world, 30)
    trip = company_api.get_trip(trip_id=fleet.trip_id)

    estimates = api.trip_estimates(trip_id=fleet.trip_id)

    assert [(e.expected_arrival, e.expected_departure) for e in estimates] == [
        (stop.arrive_at + minutes(30), stop.depart_at + minutes(30)) for stop in trip.stops[:2]] + [
        (trip.stops[2].arrive_at + minutes(30), None)]
    assert [e.scheduled_departure for e in estimates] == [stop.depart_at for stop in trip.stops]


def test_a_cancelled_trip_expects_nothing(fleet):
    fleet.world.cancel_trip()

    estimates = api.trip_estimates(trip_id=fleet.trip_id)

    assert [(e.expected_arrival, e.expected_departure) for e in estimates] == [(None, None)] * 3


def _standing_at_nairobi(fleet, t, *late):
    drive(fleet, (t - minutes(5), north_of("Nairobi", 0)),
          *[(t + minutes(m), north_of("Nairobi", 10 * (n % 2))) for n, m in enumerate(late)])


def test_a_bus_late_under_the_threshold_announces_nothing(fleet):
    t = departing(fleet, hours_ago=0.5)

    _standing_at_nairobi(fleet, t, 3, 6, 9)

    assert company_api.get_trip(trip_id=fleet.trip_id).delay_minutes == 0
    assert events("trip_delayed") == []


def test_a_bus_slipping_past_the_threshold_is_announced_late_once(fleet):
    t = departing(fleet, hours_ago=0.5)

    _standing_at_nairobi(fleet, t, 5, 10, 12, 15, 19)

    assert company_api.get_trip(trip_id=fleet.trip_id).delay_minutes == 10
    assert [(e["delay_minutes"], e["reason"]) for e in events("trip_delayed")] == [
        (10, "Running late: estimated from the bus's position.")]
    assert trip_status(fleet) == "scheduled"  # standing at the first stop: it has not left


def test_the_delay_is_announced_again_when_it_grows_by_the_threshold(fleet):
    t = departing(fleet, hours_ago=0.5)
    fleet.world.change_company(delay_alert_minutes=6)

    _standing_at_nairobi(fleet, t, 5, 6, 8, 11, 12, 13)

    assert [e["delay_minutes"] for e in events("trip_delayed")] == [6, 12]


def test_a_report_that_changes_nothing_asks_the_database_nothing_but_the_history(fleet):
    t = departing(fleet, hours_ago=7)
    trip_depart(fleet.world)
    drive(fleet, (t + minutes(100), between("Nairobi", "Nakuru", 0.67)))  # on time, between stops

    with statements_sent() as sent:
        drive(fleet, (t + minutes(101), between("Nairobi", "Nakuru", 0.675)))

    assert [s for s in sent if not s.startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))] == [COPY_SQL]


ETA = "/api/v1/tracking/trips/{}/eta"


def test_the_company_staff_read_a_trips_expected_times(fleet):
    delay(fleet.world, 30)
    trip = company_api.get_trip(trip_id=fleet.trip_id)

    answer = fleet.world.client("dispatcher").get(ETA.format(fleet.trip_id))

    assert answer.status_code == 200
    body = answer.json()
    assert body["trip_id"] == str(fleet.trip_id)
    assert [(row["sequence"], row["stop_id"], row["arrived_at"], row["departed_at"]) for row in body["stops"]] == [
        (stop.sequence, str(stop.stop_id), None, None) for stop in trip.stops]
    assert [datetime.fromisoformat(row["expected_arrival"]) for row in body["stops"]] == [
        stop.arrive_at + minutes(30) for stop in trip.stops]
    assert [datetime.fromisoformat(row["scheduled_departure"]) for row in body["stops"]] == [
        stop.depart_at for stop in trip.stops]
    assert body["stops"][-1]["expected_departure"] is None


def test_the_eta_is_not_for_anyone_else(fleet, other_fleet):
    url = ETA.format(fleet.trip_id)

    anonymous = fleet.world.client(None).get(url)
    other_tenant = other_fleet.world.client("dispatcher").get(url)
    unknown = fleet.world.client("dispatcher").get(ETA.format(uuid.uuid4()))

    assert anonymous.status_code == 401
    assert anonymous["Content-Type"] == "application/problem+json"
    assert other_tenant.status_code == 404
    assert other_tenant["Content-Type"] == "application/problem+json"
    assert unknown.status_code == 404
    assert fleet.world.client("passenger").get(url).status_code == 404
    assert fleet.world.client("agent").get(url).status_code == 403
    assert fleet.world.client("dispatcher").get("/api/v1/tracking/trips/not-a-trip/eta").status_code == 404
