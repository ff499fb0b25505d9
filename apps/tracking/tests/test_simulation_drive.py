"""Sending a drive's reports (against the live server, or a port where nothing listens): each when it is due; a
server that is away is waited for until the next report is due, then the report is given up and the track goes
on; a refusal no retry mends stops the drive; a replay for tests stops at the first failure."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from apps.company.api import TripDetails, TripStopTime
from apps.tracking import filters
from apps.tracking.simulation.drive import MIN_RETRY_WINDOW_S, drive_send
from apps.tracking.simulation.plan import drive_plan, trip_track
from apps.tracking.simulation.sender import OsmAndSender, SendFailed
from apps.tracking.tests.fleet import history

NOWHERE = "http://127.0.0.1:9"  # the discard port: nothing answers there


class FakeTime:
    """The drive's clock and sleep: sleeping moves the clock, so a drive of minutes takes no time."""

    def __init__(self) -> None:
        self.now = 1_000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def short_plan(*, speedup: float | None):
    """A drive between two stops 300 m apart in Nairobi: a handful of fixes."""
    at = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)
    stops = tuple(
        TripStopTime(sequence=index, stop_id=uuid.uuid4(), name=name, town=name, latitude=Decimal(lat),
                     longitude=Decimal("36.817223"), timezone="Africa/Nairobi", distance_km=Decimal(index),
                     arrive_at=at, depart_at=at)
        for index, (name, lat) in enumerate([("Bus Park", "-1.286389"), ("Haile Selassie", "-1.289089")]))
    trip = TripDetails(id=uuid.uuid4(), company_id=uuid.uuid4(), route_id=uuid.uuid4(), route_name="Shuttle",
                       route_code="SHT", schedule_id=None, bus_id=uuid.uuid4(), bus_plate="KAS 1X",
                       layout_version_id=uuid.uuid4(), service_date=at.date(), status="boarding", delay_minutes=0,
                       delay_reason="", departure_at=at, arrival_at=at + timedelta(minutes=2), stops=stops)
    track = trip_track(trip, dwell_s=0)
    return drive_plan(trip=trip, track=track, interval_s=5, speedup=speedup, limits=filters.thresholds(),
                      now=datetime.now(UTC))


@pytest.mark.django_db(transaction=True)  # the live server's threads commit: the test reads what they wrote
def test_a_drive_sends_each_report_when_it_is_due(fleet, live_server):
    plan = short_plan(speedup=1.0)
    fake = FakeTime()
    sender = OsmAndSender(base_url=live_server.url, identifier=fleet.tracker.identifier)

    result = drive_send(plan, sender, strict=False, say=pytest.fail, clock=fake.clock, sleep=fake.sleep)

    assert (result.sent, result.skipped) == (plan.pace.count, 0)
    assert fake.slept == [pytest.approx(5.0)] * (plan.pace.count - 1)
    # all taken: sent at once in real time, the last is stamped under a minute ahead, which the filters allow
    assert len(history(fleet.bus_id)) == plan.pace.count < 12


def test_while_the_server_is_away_each_report_is_retried_until_the_next_is_due_then_given_up():
    plan = short_plan(speedup=1.0)
    fake, said = FakeTime(), []
    sender = OsmAndSender(base_url=NOWHERE, identifier="100001")

    result = drive_send(plan, sender, strict=False, say=said.append, clock=fake.clock, sleep=fake.sleep)

    assert (result.sent, result.skipped) == (0, plan.pace.count)
    assert len(said) == plan.pace.count
    assert said[0].startswith(f"Gave up fix 0 of trip {plan.trip_id}: The server did not answer")
    # each report is tried, backing off, for the 5 s until the next is due, which is then already late
    assert fake.slept == [0.5, 1.0, 2.0, 5.0] * plan.pace.count
    assert MIN_RETRY_WINDOW_S == 5.0


def test_a_replay_for_tests_stops_at_the_first_failure():
    plan = short_plan(speedup=None)
    fake = FakeTime()

    with pytest.raises(SendFailed, match="The server did not answer") as failed:
        drive_send(plan, OsmAndSender(base_url=NOWHERE, identifier="100001"), strict=True, say=pytest.fail,
                   clock=fake.clock, sleep=fake.sleep)

    assert failed.value.retry is True
    assert fake.slept == []


@pytest.mark.django_db(transaction=True)
def test_an_unknown_tracker_stops_the_drive_as_no_retry_would_mend_it(live_server):
    plan = short_plan(speedup=1.0)
    fake = FakeTime()

    with pytest.raises(SendFailed, match="The server knows no active tracker 'no-such-tracker'") as failed:
        drive_send(plan, OsmAndSender(base_url=live_server.url, identifier="no-such-tracker"), strict=False,
                   say=pytest.fail, clock=fake.clock, sleep=fake.sleep)

    assert failed.value.retry is False
    assert fake.slept == []
