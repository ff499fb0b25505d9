"""The driver's stream: positions in, dispatch messages out, acknowledged by the driver, and every unacknowledged
message sent again when the driver connects again."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.utils import timezone

from apps.tracking import fanout
from apps.tracking.models import DispatchMessage
from apps.tracking.tests.fleet import history, live_point
from tests.worlds.sockets import bearer, open_socket

pytestmark = pytest.mark.django_db(transaction=True)


def send_message(fleet, text: str = "Take the bypass at Naivasha", **extra):
    return fleet.world.client("dispatcher").post("/api/v1/tracking/dispatch-messages", {
        "driver_id": str(fleet.world.users["driver"].pk), "kind": "reroute", "text": text, **extra}, format="json")


def driver_protocols(fleet) -> list[str]:
    return ["device", fleet.driver_phone.credential]


def test_a_driver_reports_positions_over_the_stream_and_hears_each_points_outcome(fleet):
    at = timezone.now() - timedelta(seconds=30)
    protocols = driver_protocols(fleet)

    async def talk():
        socket = await open_socket("/ws/driver/", subprotocols=protocols)
        await socket.send({"type": "positions", "ref": "batch-1", "trip_id": str(fleet.trip_id), "points": [
            {"lat": -1.29, "lon": 36.82, "fixed_at": at.isoformat()},
            {"lat": 0, "lon": 0, "fixed_at": (at + timedelta(seconds=10)).isoformat()}]})
        answer = await socket.frame()
        await socket.close()
        return socket.opening, answer

    opening, answer = async_to_sync(talk)()

    assert opening["type"] == "websocket.send" and '"pending": 0' in opening["text"]
    assert answer == {"type": "positions.result", "ref": "batch-1", "trip_id": str(fleet.trip_id), "points": [
        {"index": 0, "outcome": "accepted", "reason": None}, {"index": 1, "outcome": "refused", "reason": "zero_fix"}]}
    assert live_point(fleet.bus_id) == (-1.29, 36.82, at)
    assert len(history(fleet.bus_id)) == 1


def test_a_frame_the_stream_cannot_use_is_answered_with_an_error_and_the_stream_stays_open(fleet, other_fleet):
    protocols = driver_protocols(fleet)
    frames = ["not json", "[1, 2]", json.dumps({"type": "teleport"}),
              json.dumps({"type": "positions", "trip_id": "x", "points": []}),
              json.dumps({"type": "ack", "message_id": "00000000-0000-0000-0000-000000000000"}),
              json.dumps({"type": "positions", "trip_id": str(other_fleet.trip_id),
                          "points": [{"lat": 1, "lon": 1, "fixed_at": timezone.now().isoformat()}]}),
              json.dumps({"type": "ack", "message_id": "\x00"}),
              json.dumps({"type": "positions", "trip_id": str(fleet.trip_id),
                          "points": [{"lat": 1e308, "lon": 1, "fixed_at": "x"}]}),
              "x" * 300_000]

    async def talk():
        socket = await open_socket("/ws/driver/", subprotocols=protocols)
        answers = []
        for frame in frames:
            await socket.communicator.send_to(text_data=frame)
            answers.append(await socket.frame())
        await socket.communicator.send_to(bytes_data=b"\x00\x01")
        answers.append(await socket.frame())
        await socket.close()
        return answers

    answers = async_to_sync(talk)()

    assert [answer["type"] for answer in answers] == ["error"] * (len(frames) + 1)
    assert [answer["code"] for answer in answers] == [
        "invalid_json", "invalid_frame", "unknown_type", "validation_failed", "dispatch_message_not_found",
        "not_found", "validation_failed", "validation_failed", "frame_too_large", "text_frames_only"]
    assert history(fleet.bus_id) == [] and history(other_fleet.bus_id) == []


def test_only_drivers_open_a_drivers_stream(fleet):
    async def talk(protocols):
        socket = await open_socket("/ws/driver/", subprotocols=protocols)
        return socket.close_code

    assert async_to_sync(talk)(bearer(fleet.world.users["passenger"])) == 4403
    assert async_to_sync(talk)([]) == 4401


def test_a_message_sent_while_the_driver_is_connected_arrives_at_once_and_the_ack_is_recorded(fleet):
    protocols = driver_protocols(fleet)

    async def talk():
        socket = await open_socket("/ws/driver/", subprotocols=protocols)
        sent = await sync_to_async(send_message)(fleet)
        pushed = await socket.frame()
        await socket.send({"type": "ack", "message_id": pushed["message"]["id"], "ref": "a1"})
        acked = await socket.frame()
        await socket.close()
        return sent, pushed, acked

    sent, pushed, acked = async_to_sync(talk)()

    assert sent.status_code == 201
    message = DispatchMessage.objects.get()
    assert pushed == {"type": "dispatch", "message": {
        "id": str(message.id), "kind": "reroute", "text": "Take the bypass at Naivasha", "trip_id": None,
        "sent_at": fanout.iso(message.created_at)}}
    assert acked["type"] == "ack.result" and acked["ref"] == "a1" and acked["message_id"] == str(message.id)
    assert message.acknowledged_at is not None and message.delivery_count == 1


def test_unacknowledged_messages_come_again_on_every_connection_until_acknowledged(fleet):
    first, second = send_message(fleet, "One").json(), send_message(fleet, "Two").json()
    protocols = driver_protocols(fleet)

    async def connect_and_read(count: int, ack: str | None = None):
        socket = await open_socket("/ws/driver/", subprotocols=protocols)
        ready = socket.first_frame
        frames = [await socket.frame() for _ in range(count)]
        if ack:
            await socket.send({"type": "ack", "message_id": ack})
            await socket.frame()
        quiet = await socket.hears_nothing(0.3)
        await socket.close()
        return ready["pending"], [frame["message"]["text"] for frame in frames], quiet

    assert async_to_sync(connect_and_read)(2) == (2, ["One", "Two"], True)
    assert async_to_sync(connect_and_read)(2, ack=first["id"]) == (2, ["One", "Two"], True)
    assert async_to_sync(connect_and_read)(1) == (1, ["Two"], True)
    assert DispatchMessage.objects.get(pk=second["id"]).delivery_count == 3


def test_dispatch_messages_go_only_to_the_companys_drivers_from_its_dispatchers(fleet, other_fleet):
    other_driver = str(other_fleet.world.users["driver"].pk)

    foreign = fleet.world.client("dispatcher").post("/api/v1/tracking/dispatch-messages", {
        "driver_id": other_driver, "kind": "delay", "text": "Wait"}, format="json")
    by_agent = fleet.world.client("agent").post("/api/v1/tracking/dispatch-messages", {
        "driver_id": str(fleet.world.users["driver"].pk), "kind": "delay", "text": "Wait"}, format="json")
    not_on_trip = send_message(fleet, trip_id=str(other_fleet.trip_id))
    bad = [send_message(fleet, text=""), send_message(fleet, text="x" * 501), send_message(fleet, text="a\x00b"),
           fleet.world.client("dispatcher").post("/api/v1/tracking/dispatch-messages", {
               "driver_id": str(fleet.world.users["driver"].pk), "kind": "teleport", "text": "Go"}, format="json")]

    assert foreign.status_code == 422 and foreign.json()["errors"] == {"driver_id": ["Not a driver here."]}
    assert by_agent.status_code == 403
    assert not_on_trip.status_code == 422
    assert [answer.status_code for answer in bad] == [400, 400, 400, 400]
    assert DispatchMessage.objects.count() == 0


def test_staff_list_their_companys_messages_with_delivery_and_acknowledgement(fleet, other_fleet):
    send_message(fleet, "Mine", trip_id=str(fleet.trip_id))
    other_fleet.world.client("dispatcher").post("/api/v1/tracking/dispatch-messages", {
        "driver_id": str(other_fleet.world.users["driver"].pk), "kind": "delay", "text": "Theirs"}, format="json")

    listed = fleet.world.client("dispatcher").get("/api/v1/tracking/dispatch-messages?unacknowledged=true")
    by_passenger = fleet.world.client("passenger").get("/api/v1/tracking/dispatch-messages")

    assert listed.status_code == 200
    assert [(m["text"], m["trip_id"], m["delivery_count"], m["acknowledged_at"]) for m in listed.json()["results"]] \
        == [("Mine", str(fleet.trip_id), 0, None)]
    assert by_passenger.status_code == 403


def test_a_driver_acknowledges_over_http_and_another_driver_cannot(fleet):
    message = send_message(fleet).json()

    by_other = fleet.world.client("company_admin").post(f"/api/v1/tracking/dispatch-messages/{message['id']}/ack")
    mine = fleet.driver_phone.client.post(f"/api/v1/tracking/dispatch-messages/{message['id']}/ack")
    again = fleet.driver_phone.client.post(f"/api/v1/tracking/dispatch-messages/{message['id']}/ack")

    assert by_other.status_code == 404
    assert mine.status_code == 200 and mine.json()["acknowledged_at"] is not None
    assert again.json()["acknowledged_at"] == mine.json()["acknowledged_at"]
