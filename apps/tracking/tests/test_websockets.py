"""The watchers' websockets: who may open which, the snapshot first, then live updates coalesced per bus, and
tenants kept apart."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator
from django.utils import timezone

from apps.tracking import fanout
from apps.tracking.ingest import PositionReport, fixes_ingest
from apps.tracking.tests.fleet import Fleet
from config.websockets import websocket_application
from tests.worlds.boarding import ticket
from tests.worlds.sockets import attempt_socket, bearer, open_socket

pytestmark = pytest.mark.django_db(transaction=True)


def report(fleet: Fleet, *, latitude: float, seconds_ago: float) -> None:
    fixes_ingest(company_id=fleet.company_id, bus_id=fleet.bus_id, trip_id=fleet.trip_id, source="user:driver",
                 reports=[PositionReport(latitude=latitude, longitude=36.82,
                                         fixed_at=timezone.now() - timedelta(seconds=seconds_ago))])


def opening(path: str, **kwargs) -> dict:
    """What the server answers first: the snapshot frame, {"close": code}, or {"refused": True} at handshake."""
    async def talk():
        socket = await attempt_socket(path, **kwargs)
        if socket is None:
            return {"refused": True}
        if socket.close_code is not None:
            return {"close": socket.close_code}
        frame = socket.first_frame
        await socket.close()
        return frame

    return async_to_sync(talk)()


def test_staff_get_the_trips_last_known_position_then_its_updates(fleet):
    report(fleet, latitude=-1.2900, seconds_ago=60)

    who = bearer(fleet.world.users["dispatcher"])

    async def talk():
        socket = await open_socket(f"/ws/trips/{fleet.trip_id}/", subprotocols=who)
        snapshot = socket.first_frame
        await sync_to_async(report)(fleet, latitude=-1.2890, seconds_ago=30)
        update = await socket.frame()
        await socket.close()
        return snapshot, update

    snapshot, update = async_to_sync(talk)()

    assert snapshot["type"] == "snapshot" and snapshot["trip_id"] == str(fleet.trip_id)
    assert [(bus["bus_id"], bus["lat"]) for bus in snapshot["buses"]] == [(str(fleet.bus_id), -1.29)]
    assert update["type"] == "positions"
    assert [(bus["bus_id"], bus["trip_id"], bus["lat"], bus["lon"]) for bus in update["buses"]] == [
        (str(fleet.bus_id), str(fleet.trip_id), -1.289, 36.82)]


def test_the_accepting_answer_echoes_the_credentials_subprotocol(fleet):
    who = bearer(fleet.world.users["dispatcher"])

    async def talk():
        communicator = WebsocketCommunicator(websocket_application, f"/ws/trips/{fleet.trip_id}/", subprotocols=who)
        connected, subprotocol = await communicator.connect()
        await communicator.disconnect()
        return connected, subprotocol

    assert async_to_sync(talk)() == (True, "bearer")


def test_a_passenger_with_a_ticket_on_the_trip_may_watch_it_and_one_without_may_not(fleet):
    ticket(fleet.world, "1A")

    assert opening(f"/ws/trips/{fleet.trip_id}/", subprotocols=bearer(fleet.world.users["passenger"]))["type"] \
        == "snapshot"
    assert opening(f"/ws/trips/{fleet.trip_id}/", subprotocols=bearer(fleet.world.users["other_passenger"])) == {
        "close": 4403}


def test_anyone_may_watch_the_trips_of_a_company_that_makes_them_public(fleet):
    assert opening(f"/ws/trips/{fleet.trip_id}/") == {"close": 4401}

    fleet.world.change_company(live_trips_public=True)

    assert opening(f"/ws/trips/{fleet.trip_id}/")["type"] == "snapshot"


def test_an_unknown_trip_closes_with_4404_and_another_companys_staff_with_4403(fleet, other_fleet):
    dispatcher = bearer(fleet.world.users["dispatcher"])

    assert opening(f"/ws/trips/{uuid.uuid4()}/", subprotocols=dispatcher) == {"close": 4404}
    assert opening(f"/ws/trips/{other_fleet.trip_id}/", subprotocols=dispatcher) == {"close": 4403}


def test_missing_bad_or_expired_credentials_close_with_4401(fleet, settings):
    path = f"/ws/fleet/{fleet.company_id}/"

    assert opening(path) == {"close": 4401}
    assert opening(path, subprotocols=["bearer", "not-a-token"]) == {"close": 4401}
    assert opening(path, subprotocols=["device", "not-a-credential"]) == {"close": 4401}
    assert opening(path, subprotocols=["ticket", "x" * 5000]) == {"close": 4401}


def test_a_foreign_origin_is_refused_at_the_handshake_and_the_sites_own_passes(fleet, settings):
    settings.WEBSOCKET_ALLOWED_ORIGINS = ["https://app.example.com"]
    path, who = f"/ws/trips/{fleet.trip_id}/", bearer(fleet.world.users["dispatcher"])

    def with_origin(origin: bytes) -> dict:
        return opening(path, subprotocols=who, headers=[(b"host", b"transit.example.com"), (b"origin", origin)])

    assert with_origin(b"https://evil.example.net") == {"refused": True}
    assert with_origin(b"null") == {"refused": True}
    assert with_origin(b"https://transit.example.com.evil.net") == {"refused": True}
    assert with_origin(b"https://transit.example.com")["type"] == "snapshot"
    assert with_origin(b"https://app.example.com")["type"] == "snapshot"
    assert opening(path, subprotocols=who, headers=[(b"host", b"transit.example.com")])["type"] == "snapshot"


def test_a_dispatcher_sees_only_their_own_companys_fleet(fleet, other_fleet):
    report(other_fleet, latitude=-0.50, seconds_ago=60)

    who = bearer(fleet.world.users["dispatcher"])

    async def talk():
        socket = await open_socket("/ws/fleet/", subprotocols=who)
        snapshot = socket.first_frame
        await sync_to_async(report)(other_fleet, latitude=-0.49, seconds_ago=30)
        heard_other = not await socket.hears_nothing(1.0)
        await sync_to_async(report)(fleet, latitude=-1.29, seconds_ago=30)
        update = await socket.frame()
        await socket.close()
        return snapshot, heard_other, update

    snapshot, heard_other, update = async_to_sync(talk)()

    assert snapshot == {"type": "snapshot", "company_id": str(fleet.company_id), "buses": []}
    assert heard_other is False
    assert [bus["bus_id"] for bus in update["buses"]] == [str(fleet.bus_id)]
    assert opening(f"/ws/fleet/{other_fleet.company_id}/",
                   subprotocols=bearer(fleet.world.users["dispatcher"])) == {"close": 4404}


def test_a_passenger_or_an_agent_may_not_watch_the_fleet(fleet):
    assert opening("/ws/fleet/", subprotocols=bearer(fleet.world.users["passenger"])) == {"close": 4403}
    assert opening(f"/ws/fleet/{fleet.company_id}/", subprotocols=bearer(fleet.world.users["agent"])) == {
        "close": 4403}


def test_a_websocket_ticket_opens_one_websocket_once(fleet):
    issued = fleet.world.client("dispatcher").post("/api/v1/auth/ws-tickets")
    path = f"/ws/fleet/{fleet.company_id}/"

    first = opening(path, subprotocols=["ticket", issued.json()["ticket"]])
    again = opening(path, subprotocols=["ticket", issued.json()["ticket"]])

    assert issued.status_code == 201 and issued.json()["expires_in"] == 30
    assert first["type"] == "snapshot"
    assert again == {"close": 4401}


def test_an_expired_websocket_ticket_opens_nothing(fleet, settings):
    settings.WS_TICKET_SECONDS = 1
    issued = fleet.world.client("dispatcher").post("/api/v1/auth/ws-tickets").json()

    time.sleep(1.5)

    assert opening(f"/ws/fleet/{fleet.company_id}/", subprotocols=["ticket", issued["ticket"]]) == {"close": 4401}


def test_an_anonymous_caller_gets_no_websocket_ticket(fleet):
    answer = fleet.world.client(None).post("/api/v1/auth/ws-tickets")

    assert answer.status_code == 401
    assert answer["Content-Type"] == "application/problem+json"


def test_updates_are_coalesced_per_bus_within_a_tick_and_never_go_back_in_time(fleet, settings):
    settings.TRACKING_WS_TICK_MS = 1000
    now = timezone.now()

    def update(latitude: float, seconds_ago: int) -> dict:
        return {"type": "bus.position", "bus": {
            "bus_id": str(fleet.bus_id), "trip_id": str(fleet.trip_id), "lat": latitude, "lon": 36.82,
            "speed_kmh": None, "heading": None, "fixed_at": fanout.iso(now - timedelta(seconds=seconds_ago)),
            "received_at": fanout.iso(now)}}


    who = bearer(fleet.world.users["dispatcher"])

    async def talk():
        socket = await open_socket(f"/ws/trips/{fleet.trip_id}/", subprotocols=who)
        group = fanout.trip_group(fleet.trip_id)
        send = sync_to_async(fanout.group_messages_send)
        await send([(group, update(-1.30, 50))])
        first = await socket.frame()
        await send([(group, update(-1.29, 40)), (group, update(-1.28, 30)), (group, update(-1.285, 35))])
        second = await socket.frame()
        await send([(group, update(-1.31, 45))])  # older than what was sent
        stale = await socket.hears_nothing(1.5)
        await socket.close()
        return first, second, stale

    first, second, stale = async_to_sync(talk)()

    assert [bus["lat"] for bus in first["buses"]] == [-1.30]
    assert [bus["lat"] for bus in second["buses"]] == [-1.28]
    assert stale is True
