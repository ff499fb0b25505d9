"""What a trip's bus is observed doing, as tracking reports it: stop times kept once, the status moves they
imply, the announced delay by the company's threshold (without flapping), and who may record any of it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from apps.company import api
from apps.company.models import Company, Trip, TripStop
from apps.company.services import trips
from apps.company.services.companies import company_update
from apps.company.tests.world import ad_hoc_trip
from transport.errors import NotFound, PermissionDenied, ValidationFailed
from transport.events.models import OutboxMessage
from transport.principal import Principal

BASE = "/api/v1/company"
RECORDER = Principal.system("company-tests-recorder", {api.RECORD_PROGRESS})
AT = datetime(2026, 3, 31, 6, 0, tzinfo=UTC)


def _events(name: str) -> list[dict]:
    return [m.payload for m in OutboxMessage.objects.filter(event=f"company.{name}").order_by("created_at", "id")]


def _seen(sequence: int, event: str, minute: int) -> api.StopObservation:
    return api.StopObservation(sequence=sequence, event=event, at=AT + timedelta(minutes=minute))


def _times(trip: Trip) -> list[tuple[datetime | None, datetime | None]]:
    return list(TripStop.objects.filter(trip=trip).order_by("sequence").values_list("arrived_at", "departed_at"))


def test_an_arrival_is_kept_once_with_its_first_time(tenant_a):
    trip = ad_hoc_trip(tenant_a)

    first = api.trip_stops_record(principal=RECORDER, trip_id=trip.id, observations=[_seen(1, api.ARRIVED, 0)])
    again = api.trip_stops_record(principal=RECORDER, trip_id=trip.id, observations=[_seen(1, api.ARRIVED, 5)])

    assert _times(trip) == [(AT, None), (None, None), (None, None)]
    assert (first.status, again.status) == ("scheduled", "scheduled")  # arriving at the first stop moves nothing
    assert [(e["sequence"], e["stop_id"], e["at"]) for e in _events("trip_stop_arrived")] == [
        (1, str(tenant_a.stops["Nairobi"].id), AT.isoformat())]
    assert _events("trip_departed") == []


def test_leaving_the_first_stop_departs_the_trip_and_reaching_the_last_arrives_it(tenant_a):
    trip = ad_hoc_trip(tenant_a)

    answer = api.trip_stops_record(principal=RECORDER, trip_id=trip.id, observations=[
        _seen(1, api.ARRIVED, 0), _seen(1, api.DEPARTED, 10), _seen(2, api.ARRIVED, 150), _seen(2, api.DEPARTED, 160),
        _seen(3, api.ARRIVED, 365), _seen(3, api.DEPARTED, 370)])

    assert answer.status == "arrived"
    m = timedelta(minutes=1)
    assert _times(trip) == [(AT, AT + 10 * m), (AT + 150 * m, AT + 160 * m), (AT + 365 * m, None)]
    assert [e["at"] for e in _events("trip_departed")] == [(AT + 10 * m).isoformat()]
    assert [e["at"] for e in _events("trip_arrived")] == [(AT + 365 * m).isoformat()]
    assert [e["sequence"] for e in _events("trip_stop_departed")] == [1, 2]


def test_reaching_a_later_stop_departs_a_trip_never_seen_leaving(tenant_a):
    trip = ad_hoc_trip(tenant_a)

    answer = api.trip_stops_record(principal=RECORDER, trip_id=trip.id, observations=[_seen(2, api.ARRIVED, 150)])

    assert answer.status == "departed"
    assert [e["at"] for e in _events("trip_departed")] == [(AT + timedelta(minutes=150)).isoformat()]
    assert _times(trip)[0] == (None, None)


def test_a_departure_before_the_arrival_is_refused_and_nothing_of_the_call_is_kept(tenant_a):
    trip = ad_hoc_trip(tenant_a)

    with pytest.raises(ValidationFailed):
        api.trip_stops_record(principal=RECORDER, trip_id=trip.id,
                              observations=[_seen(1, api.ARRIVED, 10), _seen(1, api.DEPARTED, 5)])

    assert _times(trip) == [(None, None)] * 3
    assert Trip.objects.get(pk=trip.id).status == "scheduled"
    assert OutboxMessage.objects.filter(event__startswith="company.trip_stop").count() == 0


@pytest.mark.parametrize(("observation", "error"), [
    (api.StopObservation(sequence=9, event=api.ARRIVED, at=AT), NotFound),
    (api.StopObservation(sequence=1, event="teleported", at=AT), ValidationFailed),
    (api.StopObservation(sequence=1, event=api.ARRIVED, at=datetime(2026, 3, 31, 6, 0)), ValidationFailed),
])
def test_an_unknown_stop_or_event_or_a_naive_time_records_nothing(tenant_a, observation, error):
    trip = ad_hoc_trip(tenant_a)

    with pytest.raises(error):
        api.trip_stops_record(principal=RECORDER, trip_id=trip.id, observations=[_seen(1, api.ARRIVED, 0), observation])

    assert _times(trip) == [(None, None)] * 3


def test_a_finished_trip_ignores_what_is_reported(tenant_a):
    trip = ad_hoc_trip(tenant_a)
    trips.trip_cancel(principal=tenant_a.admin, trip_id=trip.id, reason="Floods")

    answer = api.trip_stops_record(principal=RECORDER, trip_id=trip.id, observations=[_seen(2, api.ARRIVED, 0)])
    delayed = api.trip_delay_observe(principal=RECORDER, trip_id=trip.id, minutes=40)

    assert (answer.status, delayed.delay_minutes) == ("cancelled", 0)
    assert _times(trip) == [(None, None)] * 3
    assert _events("trip_delayed") == []


def test_only_the_holder_of_record_progress_records_it(tenant_a, tenant_b):
    trip = ad_hoc_trip(tenant_a)
    stranger = Principal.system("company-tests-stranger", {"company.manage_trips"})

    with pytest.raises(PermissionDenied):
        api.trip_stops_record(principal=tenant_a.admin, trip_id=trip.id, observations=[_seen(1, api.ARRIVED, 0)])
    with pytest.raises(NotFound):
        api.trip_delay_observe(principal=tenant_b.admin, trip_id=trip.id, minutes=30)
    with pytest.raises(NotFound):  # a system principal with another permission has no standing in the company
        api.trip_delay_observe(principal=stranger, trip_id=trip.id, minutes=30)

    assert _times(trip) == [(None, None)] * 3
    assert Trip.objects.get(pk=trip.id).delay_minutes == 0


@pytest.mark.parametrize(("announced", "observed", "threshold", "announce"), [
    (0, 9, 10, None), (0, 10, 10, 10), (10, 19, 10, None), (10, 20, 10, 20), (30, 20, 10, 20), (30, 21, 10, None),
    (10, 5, 10, None), (10, 4, 10, 0), (0, 4, 10, None), (10, -30, 10, 0), (0, 10**9, 10, 24 * 60),
    (0, 1, 1, 1), (1, 0, 1, 0),
])
def test_the_delay_is_announced_by_the_threshold_and_cleared_under_half_of_it(announced, observed, threshold,
                                                                              announce):
    assert api.delay_to_announce(announced=announced, observed=observed, threshold=threshold) == announce


def test_an_observed_delay_is_announced_then_cleared_when_the_bus_catches_up(tenant_a):
    trip = ad_hoc_trip(tenant_a)

    for minutes in (4, 12, 15, 21, 22, 7, 3):
        api.trip_delay_observe(principal=RECORDER, trip_id=trip.id, minutes=minutes)

    assert [(e["delay_minutes"], e["reason"]) for e in _events("trip_delayed")] == [
        (12, "Running late: estimated from the bus's position."),
        (22, "Running late: estimated from the bus's position."),
        (0, "Back on time: estimated from the bus's position.")]
    assert Trip.objects.get(pk=trip.id).delay_minutes == 0


@pytest.mark.parametrize("minutes", ["12", 12.5, True, None])
def test_an_observed_delay_that_is_not_whole_minutes_is_refused(tenant_a, minutes):
    trip = ad_hoc_trip(tenant_a)

    with pytest.raises(ValidationFailed):
        api.trip_delay_observe(principal=RECORDER, trip_id=trip.id, minutes=minutes)

    assert _events("trip_delayed") == []


def test_the_trips_stop_times_carry_what_was_observed_in_the_stops_zone(tenant_a):
    trip = ad_hoc_trip(tenant_a)
    api.trip_stops_record(principal=RECORDER, trip_id=trip.id, observations=[_seen(1, api.ARRIVED, 0)])

    first = api.get_trip(trip_id=trip.id).stops[0]

    assert (first.arrived_at, first.departed_at) == (AT, None)
    assert str(first.arrived_at.tzinfo) == first.timezone


def test_a_company_announces_delays_from_ten_minutes_unless_it_says_otherwise(tenant_a):
    assert api.company_settings(company_id=tenant_a.company.id).delay_alert_minutes == 10


@pytest.mark.parametrize("minutes", [0, 241, -5])
def test_a_delay_threshold_outside_one_to_four_hours_is_refused(tenant_a, minutes):
    with pytest.raises(ValidationFailed) as raised:
        company_update(principal=tenant_a.admin, company_id=tenant_a.company.id, delay_alert_minutes=minutes)

    assert raised.value.fields == {"delay_alert_minutes": ["From 1 to 240 minutes."]}
    assert Company.objects.get(pk=tenant_a.company.id).delay_alert_minutes == 10


def test_the_delay_threshold_is_read_and_changed_over_http(tenant_a):
    client = tenant_a.client("company_admin")

    changed = client.patch(f"{BASE}/companies/{tenant_a.company.id}", {"delay_alert_minutes": 240}, format="json")
    refused = client.patch(f"{BASE}/companies/{tenant_a.company.id}", {"delay_alert_minutes": 2**63},
                           format="json")

    assert changed.status_code == 200
    assert changed.json()["delay_alert_minutes"] == 240
    assert refused.status_code == 400
    assert list(refused.json()["errors"]) == ["delay_alert_minutes"]
    assert client.get(f"{BASE}/companies/{tenant_a.company.id}").json()["delay_alert_minutes"] == 240
