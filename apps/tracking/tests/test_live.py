"""The live store in Redis: a bus moves only forward in time, even with writers racing; nearby buses of one
company, nearest first; a trip's position through its bus."""

from __future__ import annotations

import random
import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from apps.tracking import live
from apps.tracking.fixes import Fix
from apps.tracking.live import LiveBus
from apps.tracking.tests.fleet import Fleet

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
NAIROBI = (-1.2921, 36.8219)


def fix(company_id: uuid.UUID, bus_id: uuid.UUID, lat: float, lon: float, at: datetime, *,
        trip_id: uuid.UUID | None = None, speed: float | None = None, heading: float | None = None) -> Fix:
    return Fix(company_id=company_id, bus_id=bus_id, source="device:test", latitude=lat, longitude=lon, fixed_at=at,
               received_at=at, trip_id=trip_id, speed_kmh=speed, heading=heading)


def test_a_bus_with_no_report_has_no_live_position():
    assert live.bus_live(uuid.uuid4()) is None


def test_a_newer_fix_moves_the_bus_and_its_hash_holds_what_it_said():
    company, bus, trip = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()

    assert live.position_move(fix(company, bus, -1.29, 36.82, T0, trip_id=trip, speed=42.5, heading=270))

    assert live.bus_live(bus) == LiveBus(bus_id=bus, company_id=company, latitude=-1.29, longitude=36.82,
                                         fixed_at=T0, trip_id=trip, speed_kmh=42.5, heading=270.0)
    raw = live.client().hgetall(live.bus_key(bus))
    assert {key: raw[key] for key in (b"lat", b"lon", b"speed", b"heading", b"fixed_at", b"trip_id")} == {
        b"lat": b"-1.29", b"lon": b"36.82", b"speed": b"42.5", b"heading": b"270", b"fixed_at": T0.isoformat().encode(),
        b"trip_id": str(trip).encode()}
    assert live.client().geopos(live.company_key(company), str(bus))[0] == pytest.approx((36.82, -1.29), abs=1e-5)


def test_an_older_or_equal_fix_never_moves_the_bus_back():
    company, bus = uuid.uuid4(), uuid.uuid4()
    live.position_move(fix(company, bus, -1.29, 36.82, T0))

    assert not live.position_move(fix(company, bus, -1.30, 36.83, T0 - timedelta(microseconds=1)))
    assert not live.position_move(fix(company, bus, -1.31, 36.84, T0))

    assert (live.bus_live(bus).latitude, live.bus_live(bus).longitude) == (-1.29, 36.82)
    assert live.nearby(company, -1.29, 36.82, 10)[0].latitude == -1.29


def test_writers_racing_leave_the_newest_fix_whatever_the_order():
    company, bus = uuid.uuid4(), uuid.uuid4()
    fixes = [fix(company, bus, -1.0 - n / 1000, 36.0, T0 + timedelta(milliseconds=n)) for n in range(400)]
    random.Random(7).shuffle(fixes)
    chunks = [fixes[n::8] for n in range(8)]
    start = threading.Barrier(8)

    def write(chunk: list[Fix]) -> None:
        start.wait()
        for one in chunk:
            live.position_move(one)

    threads = [threading.Thread(target=write, args=(chunk,)) for chunk in chunks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    newest = live.bus_live(bus)
    assert (newest.fixed_at, newest.latitude) == (T0 + timedelta(milliseconds=399), -1.399)
    assert live.nearby(company, -1.399, 36.0, 5)[0].bus_id == bus


def test_nearby_lists_the_companys_buses_within_the_radius_nearest_first():
    company, other_company = uuid.uuid4(), uuid.uuid4()
    near, farther, far, theirs = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    live.position_move(fix(company, farther, NAIROBI[0] + 0.01, NAIROBI[1], T0))  # 1.1 km north
    live.position_move(fix(company, near, NAIROBI[0] + 0.001, NAIROBI[1], T0))  # 111 m north
    live.position_move(fix(company, far, NAIROBI[0] + 0.1, NAIROBI[1], T0))  # 11 km north
    live.position_move(fix(other_company, theirs, NAIROBI[0], NAIROBI[1], T0))

    found = live.nearby(company, NAIROBI[0], NAIROBI[1], 2_000)

    assert [bus.bus_id for bus in found] == [near, farther]
    assert [round(bus.distance_m) for bus in found] == [111, 1112]
    assert [bus.bus_id for bus in live.nearby(other_company, NAIROBI[0], NAIROBI[1], 2_000)] == [theirs]


def test_a_bus_beyond_the_geo_index_latitudes_keeps_its_hash_only():
    company, bus = uuid.uuid4(), uuid.uuid4()
    live.position_move(fix(company, bus, 86.0, 10.0, T0))

    assert live.bus_live(bus).latitude == 86.0
    assert live.nearby(company, 85.0, 10.0, 100_000) == []


def test_a_trips_live_position_is_its_bus(fleet: Fleet):
    assert live.trip_live(fleet.trip_id) is None

    live.position_move(fix(fleet.company_id, fleet.bus_id, -0.3, 36.07, T0, trip_id=fleet.trip_id))

    found = live.trip_live(fleet.trip_id)
    assert found == live.bus_live(fleet.bus_id)
    assert found is not None and found.trip_id == fleet.trip_id


def _subscribed(*channels: str):
    listener = live.client().pubsub(ignore_subscribe_messages=True)
    listener.subscribe(*channels)
    for _ in channels:
        listener.get_message(ignore_subscribe_messages=False, timeout=None)  # each subscription confirmed
    return listener


def _next_message(listener) -> tuple[str, bytes]:
    message = listener.get_message(timeout=None)
    return message["channel"].decode(), message["data"]


def test_a_move_publishes_what_it_is_announced_with_and_a_refused_one_publishes_nothing():
    company, bus = uuid.uuid4(), uuid.uuid4()
    channel = f"test.{uuid.uuid4()}"
    listener = _subscribed(channel)

    moved = live.position_move(fix(company, bus, -1.29, 36.82, T0), [(channel, b"first")])
    refused = live.position_move(fix(company, bus, -1.30, 36.82, T0 - timedelta(seconds=1)), [(channel, b"older")])
    live.client().publish(channel, b"marker")  # after anything the refused move could have published

    assert (moved, refused) == (True, False)
    assert [_next_message(listener), _next_message(listener)] == [(channel, b"first"), (channel, b"marker")]
    listener.close()


def test_a_redis_that_forgot_the_script_is_sent_it_again_and_the_move_still_publishes():
    company, bus = uuid.uuid4(), uuid.uuid4()
    channels = [f"test.{uuid.uuid4()}", f"test.{uuid.uuid4()}"]
    listener = _subscribed(*channels)
    live.position_move(fix(company, bus, -1.29, 36.82, T0))
    live.client().script_flush()  # as a restarted Redis knows no script

    moved = live.position_move(fix(company, bus, -1.28, 36.82, T0 + timedelta(seconds=1)),
                               [(channels[0], b"fleet"), (channels[1], b"trip")])

    assert moved
    assert live.bus_live(bus).latitude == -1.28
    assert [_next_message(listener), _next_message(listener)] == [(channels[0], b"fleet"), (channels[1], b"trip")]
    listener.close()
