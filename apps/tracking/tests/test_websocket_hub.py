"""The watchers' hub: one Redis subscription per group in a process, from the group's first watcher to its last;
every watcher fed the group's coalesced frames, never a position older than (or equal to) what it has, its snapshot
included; a watcher whose client stopped reading holding up nobody; groups and tenants apart; and the Redis
connection lost and found again."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
import redis
from asgiref.sync import async_to_sync, sync_to_async
from django.utils import timezone

from apps.tracking import fanout, live
from apps.tracking.fixes import Fix
from apps.tracking.tests.fleet import Fleet
from apps.tracking.tests.test_websockets import report
from config.websockets import websocket_application
from tests.worlds.sockets import WAIT, Socket, bearer, open_socket
from transport.redis_client import quick_client

pytestmark = pytest.mark.django_db(transaction=True)


def position(bus_id: str, at: datetime, latitude: float) -> dict[str, Any]:
    return {"type": "bus.position", "bus": {
        "bus_id": bus_id, "trip_id": None, "lat": latitude, "lon": 36.82, "speed_kmh": None, "heading": None,
        "fixed_at": fanout.iso(at), "received_at": fanout.iso(timezone.now())}}


async def publish(messages: list[tuple[str, dict[str, Any]]]) -> None:
    assert await sync_to_async(fanout.group_messages_send)(messages)


def subscribers(group: str) -> int:
    """Redis's count of the connections subscribed to the group's channel."""
    return int(quick_client().pubsub_numsub(fanout.group_channel(group))[0][1])


async def settles(condition: Callable[[], bool], within: float = WAIT) -> bool:
    """Whether `condition` holds, or comes to within `within` seconds (a bound on waiting, not a timing check)."""
    def holds() -> bool:
        try:
            return condition()
        except redis.ConnectionError:  # a Redis on its way back
            return False

    loop = asyncio.get_running_loop()
    ends = loop.time() + within
    while not holds() and loop.time() < ends:
        await asyncio.sleep(0.01)
    return holds()


def fleet_path(fleet: Fleet) -> str:
    return f"/ws/fleet/{fleet.company_id}/"


async def positions_until(socket: Socket, seen: dict[str, list[str]], done: Callable[[], bool],
                          latitudes: set[float] | None = None) -> None:
    """Read the socket's frames into `seen` (each bus's `fixed_at`s in order; and each latitude into `latitudes`)
    until `done`."""
    while not done():
        frame = await socket.frame()
        assert frame["type"] == "positions"
        for bus in frame["buses"]:
            seen.setdefault(bus["bus_id"], []).append(bus["fixed_at"])
            if latitudes is not None:
                latitudes.add(bus["lat"])


WATCHERS = 50
BUSES = 5
ROUNDS = 4


def test_every_watcher_gets_each_buses_newest_position_of_every_round_in_order_and_nothing_older(fleet):
    who = bearer(fleet.world.users["dispatcher"])
    group = fanout.fleet_group(fleet.company_id)
    buses = [str(uuid.uuid4()) for _ in range(BUSES)]
    start = timezone.now() - timedelta(minutes=10)

    def at(round_number: int, step: int) -> datetime:
        return start + timedelta(seconds=10 * round_number + step)

    def round_messages(round_number: int) -> list[tuple[str, dict[str, Any]]]:
        """Each bus at steps 1, 3, 2 (out of order) and 3 again; and, after the first round, once more where it was
        in the round before (older than what the watchers have)."""
        steps = [(1, -1.1), (3, -1.3), (2, -1.2), (3, -9.9)]
        messages = [(group, position(bus, at(round_number, step), lat)) for step, lat in steps for bus in buses]
        if round_number:
            messages += [(group, position(bus, at(round_number - 1, 2), -9.8)) for bus in buses]
        return messages

    newest = [fanout.iso(at(round_number, 3)) for round_number in range(ROUNDS)]

    async def talk():
        sockets = [await open_socket(fleet_path(fleet), subprotocols=who) for _ in range(WATCHERS)]
        seen: list[dict[str, list[str]]] = [{} for _ in sockets]
        latitudes: set[float] = set()
        for round_number in range(ROUNDS):
            await publish(round_messages(round_number))

            def has_round(watcher: int, wanted: str = newest[round_number]) -> bool:
                return all(seen[watcher].get(bus, [""])[-1] == wanted for bus in buses)

            await asyncio.gather(*(positions_until(socket, seen[n], lambda n=n: has_round(n), latitudes)
                                   for n, socket in enumerate(sockets)))
        silent = await asyncio.gather(*(socket.hears_nothing(0.5) for socket in sockets))
        for socket in sockets:
            await socket.close()
        return seen, latitudes, silent

    seen, latitudes, silent = async_to_sync(talk)()

    assert all(silent)
    assert latitudes <= {-1.1, -1.2, -1.3}  # never the repeat of a position sent (-9.9) nor an older one (-9.8)
    for watcher in seen:
        assert sorted(watcher) == sorted(buses)
        for times in watcher.values():
            assert times == sorted(set(times))  # in order, each once: nothing older or equal after a position
            assert set(newest) <= set(times)  # each round's newest
            assert set(times) <= {fanout.iso(at(r, step)) for r in range(ROUNDS) for step in (1, 2, 3)}


def test_a_watcher_joining_mid_stream_is_not_sent_the_position_its_snapshot_already_had(fleet, settings):
    settings.TRACKING_WS_TICK_MS = 2000  # the group's next frame waits: the second watcher joins before it
    who = bearer(fleet.world.users["dispatcher"])

    async def talk():
        first = await open_socket(fleet_path(fleet), subprotocols=who)
        await sync_to_async(report)(fleet, latitude=-1.2900, seconds_ago=30)
        first_frames = [await first.frame()]  # the group's first frame goes at once
        await sync_to_async(report)(fleet, latitude=-1.2890, seconds_ago=20)  # the group holds it until its tick
        second = await open_socket(fleet_path(fleet), subprotocols=who)  # whose snapshot has it already
        first_frames.append(await first.frame())  # the tick's frame
        await sync_to_async(report)(fleet, latitude=-1.2880, seconds_ago=10)
        first_frames.append(await first.frame())
        second_frames = [await second.frame()]
        for socket in (first, second):
            await socket.close()
        return first_frames, second.first_frame, second_frames

    first_frames, snapshot, second_frames = async_to_sync(talk)()

    assert [[bus["lat"] for bus in frame["buses"]] for frame in first_frames] == [[-1.29], [-1.289], [-1.288]]
    assert [bus["lat"] for bus in snapshot["buses"]] == [-1.289]
    assert [[bus["lat"] for bus in frame["buses"]] for frame in second_frames] == [[-1.288]]


JOINS = 20


def test_watchers_joining_while_buses_move_never_get_a_position_older_than_what_they_have(fleet, settings):
    """Buses moving without pause (the live store moved, then the group told, as ingestion does) while watchers
    join one after another: whether an update reaches the group before, while or after a watcher's snapshot is
    read, the watcher never gets a position not newer than its snapshot's or its last frame's."""
    settings.TRACKING_WS_TICK_MS = 0
    who = bearer(fleet.world.users["dispatcher"])
    buses = [uuid.uuid4() for _ in range(3)]
    start = timezone.now() - timedelta(hours=1)
    stop = threading.Event()

    def drive() -> None:
        step = 0
        while not stop.is_set():
            step += 1
            bus_id = buses[step % len(buses)]
            fix = Fix(company_id=fleet.company_id, bus_id=bus_id, source="test", latitude=-1.0 - step / 10_000,
                      longitude=36.8, fixed_at=start + timedelta(milliseconds=step), received_at=timezone.now())
            if live.position_move(fix):
                fanout.position_announce(fix)

    async def watch() -> list[str]:
        """Join, take three frames, leave: what went wrong, if anything."""
        socket = await open_socket(fleet_path(fleet), subprotocols=who)
        has = {bus["bus_id"]: bus["fixed_at"] for bus in socket.first_frame["buses"]}
        wrong = []
        for _ in range(3):
            for bus in (await socket.frame())["buses"]:
                if bus["fixed_at"] <= has.get(bus["bus_id"], ""):
                    wrong.append(f"{bus['bus_id']}: {bus['fixed_at']} after {has[bus['bus_id']]}")
                has[bus["bus_id"]] = bus["fixed_at"]
        await socket.close()
        return wrong

    async def talk():
        keeper = await open_socket(fleet_path(fleet), subprotocols=who)  # the group stays followed throughout
        driver = threading.Thread(target=drive)
        driver.start()
        try:
            return [await watch() for _ in range(JOINS)]
        finally:
            stop.set()
            await sync_to_async(driver.join)()
            await keeper.close()

    assert async_to_sync(talk)() == [[]] * JOINS


def test_a_group_is_subscribed_once_per_process_from_its_first_watcher_to_its_last(fleet):
    who = bearer(fleet.world.users["dispatcher"])
    group = fanout.fleet_group(fleet.company_id)

    async def talk():
        before = subscribers(group)
        first = await open_socket(fleet_path(fleet), subprotocols=who)
        with_one = subscribers(group)  # Redis confirmed the subscription before the snapshot was read
        second = await open_socket(fleet_path(fleet), subprotocols=who)
        with_two = subscribers(group)
        await first.close()
        after_first_left = subscribers(group)
        await second.close()
        unsubscribed = await settles(lambda: subscribers(group) == 0)
        return before, with_one, with_two, after_first_left, unsubscribed

    assert async_to_sync(talk)() == (0, 1, 1, 1, True)


def test_a_fleets_and_a_trips_watchers_get_their_own_groups_updates_only(fleet):
    who = bearer(fleet.world.users["dispatcher"])
    fleet_group, trip_group = fanout.fleet_group(fleet.company_id), fanout.trip_group(fleet.trip_id)
    now = timezone.now()
    trip_bus, other_bus = str(uuid.uuid4()), str(uuid.uuid4())
    estimate = {"type": "trip.eta", "trip_id": str(fleet.trip_id), "as_of": fanout.iso(now), "stops": []}

    async def talk():
        fleet_socket = await open_socket(fleet_path(fleet), subprotocols=who)
        trip_socket = await open_socket(f"/ws/trips/{fleet.trip_id}/", subprotocols=who)
        await publish([(trip_group, position(trip_bus, now, -1.5)), (trip_group, estimate)])
        trip_frames = [await trip_socket.frame(), await trip_socket.frame()]
        fleet_heard_trip = not await fleet_socket.hears_nothing()
        await publish([(fleet_group, position(other_bus, now, -1.6))])
        fleet_frame = await fleet_socket.frame()
        trip_heard_fleet = not await trip_socket.hears_nothing()
        groups_followed = (subscribers(fleet_group), subscribers(trip_group))
        for socket in (fleet_socket, trip_socket):
            await socket.close()
        return trip_frames, fleet_heard_trip, fleet_frame, trip_heard_fleet, groups_followed

    trip_frames, fleet_heard_trip, fleet_frame, trip_heard_fleet, groups_followed = async_to_sync(talk)()

    assert [(frame["type"], [bus["bus_id"] for bus in frame.get("buses", [])]) for frame in trip_frames] == [
        ("positions", [trip_bus]), ("eta", [])]
    assert trip_frames[1] == {"type": "eta", "trip_id": str(fleet.trip_id), "as_of": fanout.iso(now), "stops": []}
    assert fleet_heard_trip is False
    assert [bus["bus_id"] for bus in fleet_frame["buses"]] == [other_bus]
    assert trip_heard_fleet is False
    assert groups_followed == (1, 1)


def test_another_companys_fleet_watchers_hear_nothing_of_this_one(fleet, other_fleet):
    now = timezone.now()
    bus, others_bus = str(uuid.uuid4()), str(uuid.uuid4())
    we, they = bearer(fleet.world.users["dispatcher"]), bearer(other_fleet.world.users["dispatcher"])

    async def talk():
        ours = await open_socket(fleet_path(fleet), subprotocols=we)
        theirs = await open_socket(fleet_path(other_fleet), subprotocols=they)
        await publish([(fanout.fleet_group(fleet.company_id), position(bus, now, -1.5))])
        our_frame = await ours.frame()
        they_heard = not await theirs.hears_nothing()
        await publish([(fanout.fleet_group(other_fleet.company_id), position(others_bus, now, -0.5))])
        their_frame = await theirs.frame()
        we_heard = not await ours.hears_nothing()
        for socket in (ours, theirs):
            await socket.close()
        return our_frame, they_heard, their_frame, we_heard

    our_frame, they_heard, their_frame, we_heard = async_to_sync(talk)()

    assert [b["bus_id"] for b in our_frame["buses"]] == [bus]
    assert [b["bus_id"] for b in their_frame["buses"]] == [others_bus]
    assert they_heard is False and we_heard is False


class StopsReading:
    """The platform's websockets behind a client that stops reading when told: the server's sends to it wait, as
    they do once its buffers are full, until it reads again."""

    def __init__(self) -> None:
        self.reading = asyncio.Event()
        self.reading.set()

    async def __call__(self, scope, receive, send) -> None:
        async def send_when_read(message):
            if message["type"] == "websocket.send":
                await self.reading.wait()
            await send(message)

        await websocket_application(scope, receive, send_when_read)


def test_a_watcher_that_stops_reading_holds_up_no_other_and_then_gets_each_buses_newest(fleet):
    who = bearer(fleet.world.users["dispatcher"])
    group = fanout.fleet_group(fleet.company_id)
    buses = [str(uuid.uuid4()), str(uuid.uuid4())]
    start = timezone.now() - timedelta(minutes=5)
    rounds = [fanout.iso(start + timedelta(seconds=n)) for n in range(3)]

    async def talk():
        client = StopsReading()
        stalled = await open_socket(fleet_path(fleet), subprotocols=who, application=client)
        reading = await open_socket(fleet_path(fleet), subprotocols=who)
        client.reading.clear()
        seen: dict[str, list[str]] = {}
        for n, at in enumerate(rounds):
            await publish([(group, position(bus, start + timedelta(seconds=n), -1.0 - n / 10)) for bus in buses])
            await positions_until(reading, seen, lambda at=at: all(seen.get(bus, [""])[-1] == at for bus in buses))
        client.reading.set()  # only now: everything above reached the reading watcher while the other did not read
        stalled_seen: dict[str, list[str]] = {}
        await positions_until(stalled, stalled_seen,
                              lambda: all(stalled_seen.get(bus, [""])[-1] == rounds[-1] for bus in buses))
        quiet = await stalled.hears_nothing()
        for socket in (stalled, reading):
            await socket.close()
        return seen, stalled_seen, quiet

    seen, stalled_seen, quiet = async_to_sync(talk)()

    assert seen == dict.fromkeys(buses, rounds)
    # the first round's frame was under way when it stopped reading; the second was superseded while held back
    assert sorted(stalled_seen) == sorted(buses)
    assert all(times[-1] == rounds[2] and rounds[1] not in times and times == sorted(set(times))
               for times in stalled_seen.values())
    assert quiet is True


@pytest.mark.slow
def test_the_hub_subscribes_again_after_losing_redis_and_its_watchers_hear_updates_again(fleet, own_redis, caplog):
    stop_redis, start_redis_empty = own_redis
    who = bearer(fleet.world.users["dispatcher"])
    group = fanout.fleet_group(fleet.company_id)
    bus = str(uuid.uuid4())
    now = timezone.now()

    async def talk():
        socket = await open_socket(fleet_path(fleet), subprotocols=who)
        await publish([(group, position(bus, now - timedelta(seconds=20), -1.30))])
        before = await socket.frame()
        await sync_to_async(stop_redis)()
        await sync_to_async(start_redis_empty)()
        resubscribed = await settles(lambda: subscribers(group) == 1, within=60)
        await publish([(group, position(bus, now - timedelta(seconds=10), -1.29))])
        after = await socket.frame()
        await socket.close()
        return before, resubscribed, after

    before, resubscribed, after = async_to_sync(talk)()

    assert [b["lat"] for b in before["buses"]] == [-1.30]
    assert resubscribed is True
    assert [b["lat"] for b in after["buses"]] == [-1.29]
    logged = [record.getMessage() for record in caplog.records if record.name.endswith("websockets.hub")]
    assert "tracking.hub_disconnected" in logged and "tracking.hub_reconnected" in logged
