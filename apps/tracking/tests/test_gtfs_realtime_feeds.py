"""What a company's GTFS-Realtime feeds say: the buses reporting for trips under way with their trip as the static
feed names it, speed in m/s and how full they are on the leg they drive; delayed, running and cancelled trips in
trip updates; cancelled and delayed ones in alerts; nothing of another company."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from google.transit import gtfs_realtime_pb2 as rt

from apps.company import api as company_api
from apps.tracking import api
from apps.tracking.tests.gtfs_rt import read_feed, report_position, slug_of, under_way
from apps.tracking.tests.road import between, drive
from tests.worlds.boarding import delay, ticket
from tests.worlds.tracking import (
    earlier_today,
    seat_held,
    trip_departs_at,
    trip_move,
    trip_on_the_road,
    trip_today,
)

pytestmark = pytest.mark.django_db

NAIROBI = ZoneInfo("Africa/Nairobi")


def start_of(departs) -> tuple[str, str]:
    local = departs.astimezone(NAIROBI)
    return f"{local:%Y%m%d}", f"{local:%H:%M:%S}"


def test_a_reporting_bus_shows_its_trip_as_the_static_feed_names_it_with_speed_in_metres_per_second(fleet):
    world = fleet.world
    for seat, board, alight in [("1A", "Nairobi", "Kisumu"), ("1B", "Nairobi", "Kisumu"), ("1C", "Nairobi", "Nakuru"),
                                ("2A", "Nakuru", "Kisumu")]:
        ticket(world, seat, board=board, alight=alight)
    seat_held(world, "2B", board="Nairobi", alight="Nakuru")
    departs = under_way(world)
    fix = report_position(world, trip_id=world.trip_id, speed_kmh=72.0, heading=90.0)

    message = read_feed(slug_of(world), "vehicle-positions")

    (entity,) = message.entity
    vehicle = entity.vehicle
    start_date, start_time = start_of(departs)
    assert entity.id == str(fleet.bus_id)
    assert vehicle.trip == rt.TripDescriptor(trip_id=str(world.trip_id), route_id=str(world.route_id),
                                             start_date=start_date, start_time=start_time,
                                             schedule_relationship=rt.TripDescriptor.SCHEDULED)
    assert vehicle.vehicle == rt.VehicleDescriptor(id=str(fleet.bus_id), label=company_api.get_trip(
        trip_id=world.trip_id).bus_plate)
    assert (vehicle.position.latitude, vehicle.position.longitude) == (pytest.approx(-0.9955, abs=1e-5),
                                                                       pytest.approx(36.0049, abs=1e-5))
    assert (vehicle.position.speed, vehicle.position.bearing) == (20.0, 90.0)
    assert vehicle.timestamp == int(fix.fixed_at.timestamp())
    # out of Nairobi within the hour, on the way to Nakuru (150 minutes out): 4 of 39 sellable seats ride that
    # leg, three sold and one held (2A boards at Nakuru)
    assert (vehicle.current_status, vehicle.current_stop_sequence, vehicle.stop_id) == (
        rt.VehiclePosition.IN_TRANSIT_TO, 2, str(world.stops["Nakuru"]))
    assert (vehicle.occupancy_status, vehicle.occupancy_percentage) == (rt.VehiclePosition.MANY_SEATS_AVAILABLE, 10)


def test_a_boarding_bus_is_stopped_at_the_first_stop_and_empty_with_no_seat_sold(fleet):
    under_way(fleet.world, move="board")
    report_position(fleet.world, trip_id=fleet.trip_id, speed_kmh=0.0)

    (entity,) = read_feed(slug_of(fleet.world), "vehicle-positions").entity

    vehicle = entity.vehicle
    assert (vehicle.current_status, vehicle.current_stop_sequence, vehicle.stop_id) == (
        rt.VehiclePosition.STOPPED_AT, 1, str(fleet.world.stops["Nairobi"]))
    assert (vehicle.occupancy_status, vehicle.occupancy_percentage, vehicle.position.speed) == (
        rt.VehiclePosition.EMPTY, 0, 0.0)


def test_only_buses_reporting_for_a_trip_under_way_appear_and_never_another_companys(fleet, other_fleet):
    under_way(fleet.world)
    under_way(other_fleet.world)
    report_position(other_fleet.world, trip_id=other_fleet.trip_id)
    idle_bus = trip_today(fleet.world, earlier_today() + timedelta(hours=6))  # scheduled, not under way
    report_position(fleet.world, trip_id=None, bus_id=company_api.get_trip(trip_id=idle_bus).bus_id)

    ours = read_feed(slug_of(fleet.world), "vehicle-positions")
    report_position(fleet.world, trip_id=fleet.trip_id)
    theirs = read_feed(slug_of(other_fleet.world), "vehicle-positions")

    assert list(ours.entity) == []  # our trip's bus had not reported yet, and the idle bus is on no trip
    assert [entity.vehicle.vehicle.id for entity in theirs.entity] == [str(other_fleet.bus_id)]


def test_a_position_reported_for_an_earlier_trip_is_not_shown_for_the_current_one(fleet):
    earlier = fleet.world.another_trip()  # the same bus, three days before
    trip_departs_at(earlier, earlier_today() - timedelta(days=3))
    report_position(fleet.world, trip_id=earlier, ago=timedelta(minutes=5))
    under_way(fleet.world)

    assert list(read_feed(slug_of(fleet.world), "vehicle-positions").entity) == []


def test_trip_updates_carry_running_and_delayed_trips_stop_by_stop_and_cancelled_ones_as_cancelled(world):
    departs = under_way(world)
    late = trip_today(world, departs + timedelta(minutes=5))
    delay(world, 40, trip_id=late)
    cancelled = trip_today(world, departs + timedelta(minutes=10))
    world.cancel_trip(cancelled)
    trip_today(world, departs + timedelta(minutes=15))  # on time and not under way: nothing to say
    now = int(timezone.now().timestamp())

    message = read_feed(slug_of(world), "trip-updates")

    assert [entity.id for entity in message.entity] == [str(world.trip_id), str(late), str(cancelled)]
    running, delayed, gone = (entity.trip_update for entity in message.entity)
    nakuru, kisumu = str(world.stops["Nakuru"]), str(world.stops["Kisumu"])

    def stops(update):
        return [(u.stop_sequence, u.stop_id, u.arrival.delay, u.departure.delay, u.arrival.time - u.departure.time)
                for u in update.stop_time_update]

    assert stops(running) == [(2, nakuru, 0, 0, 0), (3, kisumu, 0, 0, 0)]  # Nairobi is behind it
    assert stops(delayed) == [(1, str(world.stops["Nairobi"]), 2400, 2400, 0), (2, nakuru, 2400, 2400, 0),
                              (3, kisumu, 2400, 2400, 0)]
    late_departs = int((departs + timedelta(minutes=5)).timestamp())
    assert [u.departure.time for u in delayed.stop_time_update] == [
        late_departs + 2400, late_departs + 150 * 60 + 2400, late_departs + 360 * 60 + 2400]
    assert (delayed.trip.schedule_relationship, delayed.vehicle.id) == (
        rt.TripDescriptor.SCHEDULED, str(company_api.get_trip(trip_id=late).bus_id))
    assert gone.trip.schedule_relationship == rt.TripDescriptor.CANCELED
    assert (gone.trip.trip_id, gone.trip.start_date, gone.trip.start_time) == (
        str(cancelled), *start_of(departs + timedelta(minutes=10)))
    assert list(gone.stop_time_update) == []
    assert now <= min(entity.trip_update.timestamp for entity in message.entity)


def test_alerts_tell_of_cancelled_and_delayed_trips_in_english_with_their_reasons(world):
    departs = earlier_today()
    late = trip_today(world, departs)
    delay(world, 40, trip_id=late)
    cancelled = trip_today(world, departs + timedelta(minutes=10))
    world.cancel_trip(cancelled)
    arrived = trip_today(world, departs - timedelta(minutes=1))
    delay(world, 15, trip_id=arrived)
    trip_move(world, "depart", arrived)
    trip_move(world, "arrive", arrived)
    world_slug = slug_of(world)

    message = read_feed(world_slug, "alerts")

    assert [entity.id for entity in message.entity] == [str(late), str(cancelled)]
    delayed, gone = (entity.alert for entity in message.entity)
    late_local = departs.astimezone(NAIROBI)
    gone_local = late_local + timedelta(minutes=10)
    assert (delayed.effect, delayed.cause) == (rt.Alert.SIGNIFICANT_DELAYS, rt.Alert.OTHER_CAUSE)
    assert (gone.effect, gone.cause) == (rt.Alert.NO_SERVICE, rt.Alert.OTHER_CAUSE)
    assert [t.text for t in delayed.header_text.translation] == [
        f"Delayed about 40 min: the {late_local:%H:%M} Nairobi - Kisumu"]
    assert [(t.text, t.language) for t in delayed.description_text.translation] == [(
        f"The {late_local:%H:%M} Nairobi - Kisumu (NBI-KSM) trip from Nairobi Stage to Kisumu Stage on "
        f"{late_local:%a %d %b %Y} runs about 40 minutes late. Reason: Road works.", "en")]
    assert [t.text for t in gone.description_text.translation] == [
        f"The {gone_local:%H:%M} Nairobi - Kisumu (NBI-KSM) trip from Nairobi Stage to Kisumu Stage on "
        f"{gone_local:%a %d %b %Y} is cancelled. Reason: The bus broke down."]
    assert [(e.agency_id, e.route_id, e.trip.trip_id, e.trip.schedule_relationship) for e in gone.informed_entity] == [
        (world_slug, str(world.route_id), str(cancelled), rt.TripDescriptor.CANCELED)]
    midnight = int(late_local.replace(hour=0, minute=0, second=0).timestamp())

    def periods(alert):
        return [[(p.start, p.end) for p in ranges]
                for ranges in (alert.communication_period, alert.impact_period, alert.active_period)]

    late_ends = int((departs + timedelta(minutes=360 + 40)).timestamp())
    assert periods(delayed) == [[(midnight, late_ends)], [(int(departs.timestamp()), late_ends)],
                                [(midnight, late_ends)]]
    gone_departs = departs + timedelta(minutes=10)
    gone_ends = int((gone_departs + timedelta(minutes=360)).timestamp())
    assert periods(gone) == [[(midnight, gone_ends)], [(int(gone_departs.timestamp()), gone_ends)],
                             [(midnight, gone_ends)]]


def test_a_trip_that_arrived_and_one_cancelled_yesterday_are_in_no_feed(world):
    under_way(world)
    report_position(world, trip_id=world.trip_id)
    yesterdays = trip_today(world, earlier_today() - timedelta(days=1))
    world.cancel_trip(yesterdays)
    trip_move(world, "arrive")

    for feed in ("vehicle-positions", "trip-updates", "alerts"):
        assert list(read_feed(slug_of(world), feed).entity) == [], feed


def test_a_followed_trip_s_updates_carry_tracking_s_expected_times_at_the_stops_ahead(fleet):
    departs = earlier_today()
    trip_on_the_road(fleet.world, departs_at=departs)
    trip_move(fleet.world, "depart")
    drive(fleet, (timezone.now().replace(microsecond=0) - timedelta(seconds=30), between("Nairobi", "Nakuru", 0.1)))
    expected = {e.sequence: e.expected_arrival for e in api.trip_estimates(trip_id=fleet.trip_id)}

    message = read_feed(slug_of(fleet.world), "trip-updates")

    [entity] = message.entity
    assert [(u.stop_sequence, u.arrival.time) for u in entity.trip_update.stop_time_update] == [
        (2, int(expected[2].timestamp())), (3, int(expected[3].timestamp()))]
