"""Lossless fan-out: every update published to a group reaches every watcher of it, through the pub/sub channel
layer (one PUBLISH per update, fanned out inside the ASGI process)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.utils import timezone

from apps.tracking import fanout
from tests.worlds.sockets import bearer, open_socket

pytestmark = pytest.mark.django_db(transaction=True)

WATCHERS = 200
BUSES = 50
ROUNDS = 3


def test_every_watcher_gets_every_buses_newest_position_of_every_round(fleet):
    who = bearer(fleet.world.users["dispatcher"])
    buses = [str(uuid.uuid4()) for _ in range(BUSES)]
    start = timezone.now() - timedelta(minutes=5)
    group = fanout.fleet_group(fleet.company_id)

    def publish(round_number: int) -> None:
        at = fanout.iso(start + timedelta(seconds=round_number))
        fanout.group_messages_send([(group, {"type": "bus.position", "bus": {
            "bus_id": bus, "trip_id": None, "lat": -1.0 - round_number / 100, "lon": 36.8, "speed_kmh": None,
            "heading": None, "fixed_at": at, "received_at": at}}) for bus in buses])

    async def watch(socket) -> dict[str, list[float]]:
        seen: dict[str, list[float]] = {}
        while sum(len(lats) for lats in seen.values()) < BUSES * ROUNDS:
            frame = await socket.frame()
            for bus in frame["buses"]:
                seen.setdefault(bus["bus_id"], []).append(bus["lat"])
        return seen

    async def talk():
        sockets = [await open_socket(f"/ws/fleet/{fleet.company_id}/", subprotocols=who) for _ in range(WATCHERS)]
        watching = [asyncio.ensure_future(watch(socket)) for socket in sockets]
        for round_number in range(ROUNDS):
            await sync_to_async(publish)(round_number)
            await asyncio.sleep(0.3)  # past the tick: each round is its own frame, nothing coalesced away
        results = await asyncio.gather(*watching)
        for socket in sockets:
            await socket.close()
        return results

    results = async_to_sync(talk)()

    expected = {bus: [-1.0, -1.01, -1.02] for bus in buses}
    assert len(results) == WATCHERS
    assert all(seen == expected for seen in results)
