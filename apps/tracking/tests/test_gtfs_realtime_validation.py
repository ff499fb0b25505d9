"""The feeds judged against the company's static GTFS feed: by the gtfs-rt-validator package (MobilityData's
GTFS-Realtime rules and the specification's, run in Python) and by our own checks of what they repeat from it.

The scene: a bus under way reporting its position with seats sold, a trip of today running 40 minutes late that
has not left, and one cancelled. The static feed a consumer holds is the one from before the cancellation (the
one that still lists the cancelled trip); the newer one leaves it out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

import pytest
from django.utils import timezone
from google.transit import gtfs_realtime_pb2 as rt
from rest_framework.test import APIClient

from apps.company import api as company_api
from apps.tracking.tests.gtfs_rt import (
    FEEDS,
    feed_url,
    report_position,
    slug_of,
    static_problems,
    static_tables,
    static_zip,
    under_way,
    validator_findings,
)
from tests.worlds.boarding import delay, ticket
from tests.worlds.tracking import trip_today

pytestmark = pytest.mark.django_db


@dataclass
class Scene:
    static_before: bytes  # the static feed before the cancellation
    static_after: bytes
    feeds: dict[str, bytes]  # by the validator's role: vp, tu, sa
    late: UUID
    cancelled: UUID


@pytest.fixture
def scene(fleet) -> Scene:
    world = fleet.world
    world.change_company(website="https://www.coachline.co.ke")  # the static feed's agency_url (else the test host)
    ticket(world, "1A")
    departs = under_way(world)
    report_position(world, trip_id=world.trip_id)
    late = trip_today(world, departs + timedelta(minutes=5))
    delay(world, 40, trip_id=late)
    cancelled = trip_today(world, departs + timedelta(minutes=10))
    slug = slug_of(world)
    before = static_zip(slug)
    world.cancel_trip(cancelled)
    feeds = {role: APIClient().get(feed_url(slug, feed)).content for role, feed in FEEDS.items()}
    return Scene(static_before=before, static_after=static_zip(slug), feeds=feeds, late=late, cancelled=cancelled)


def _not_reporting(scene: Scene) -> list[tuple[str, str]]:
    """W003 for each trip in TripUpdates without a bus in VehiclePositions (the late one has not left, the
    cancelled one never will), for its trip and its bus: a warning every such feed gets."""
    found = []
    for trip_id in (scene.late, scene.cancelled):
        bus_id = company_api.get_trip(trip_id=trip_id).bus_id
        found += [("W003", f"trip_id {trip_id} is in TripUpdates but not in VehiclePositions feed"),
                  ("W003", f"vehicle_id {bus_id} is in TripUpdates but not in VehiclePositions feed")]
    return found


def _active_period_kept(scene: Scene) -> list[tuple[str, str]]:
    """S025 for each alert: active_period is kept beside its successors for the consumers that read only it."""
    return [("S025", f"alert ID {trip_id} sets active_period, which this pin deprecates")
            for trip_id in (scene.late, scene.cancelled)]


def test_the_feeds_break_no_rule_of_the_validator_against_the_static_feed_a_consumer_holds(scene, tmp_path):
    findings = validator_findings(scene.static_before, scene.feeds, tmp_path)

    assert sorted(findings) == sorted(_not_reporting(scene) + _active_period_kept(scene))


def test_against_the_static_feed_made_after_the_cancellation_the_cancelled_trip_is_unknown(scene, tmp_path):
    findings = validator_findings(scene.static_after, scene.feeds, tmp_path)

    assert sorted(findings) == sorted([("E003", f"trip_id {scene.cancelled}"), *_not_reporting(scene),
                                       *_active_period_kept(scene)])


def test_the_feeds_name_trips_stops_and_times_as_the_static_feed_does(scene):
    tables = static_tables(scene.static_before)
    now = int(timezone.now().timestamp())

    for role, data in scene.feeds.items():
        message = rt.FeedMessage.FromString(data)
        assert message.entity, role
        assert static_problems(message, tables, now=now) == [], role
        assert message.SerializeToString() == data  # it round-trips


def test_both_checks_see_a_feed_that_is_wrong(scene, tmp_path):
    # the control case: a start time that is not the static one and a fix time in milliseconds
    broken = rt.FeedMessage.FromString(scene.feeds["vp"])
    vehicle = broken.entity[0].vehicle
    vehicle.trip.start_time = "23:59:00"
    vehicle.timestamp *= 1000
    entity = f"entity {broken.entity[0].id}"

    findings = validator_findings(scene.static_before, {"vp": broken.SerializeToString()}, tmp_path)
    problems = static_problems(broken, static_tables(scene.static_before), now=int(timezone.now().timestamp()))

    assert {rule for rule, _ in findings} >= {"E001", "E012", "E023"}
    assert [problem.split(":")[0] for problem in problems] == [entity, entity]
