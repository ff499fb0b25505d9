"""Watching buses move: `/ws/trips/<trip>/` (a trip's bus) and `/ws/fleet/[<company>/]` (every bus of a company).

On connect the consumer joins its layer group first, then sends a snapshot of the last known positions (and, for
a trip, its expected times at the stops), so no update falls between the two. Then it relays the group's
`bus.position` messages (and a trip's `trip.eta`), coalesced: a watcher gets at most one round of frames per
TRACKING_WS_TICK_MS, carrying each bus's newest position since the last one (and the trip's newest estimate),
and never anything older than what it was already sent. Nothing here touches the database per update: relaying is a dict
write and, once per tick, one JSON frame."""

from __future__ import annotations

import asyncio
import json
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar
from uuid import UUID

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from apps.tracking.websockets import admission
from apps.tracking.websockets.scope import route_kwargs, scope_principal, scope_subprotocol
from transport.errors import DomainError


class WatchConsumer(AsyncWebsocketConsumer, ABC):
    """The shared part: admission, the snapshot, the coalescing relay. Subclasses say whom they admit and what
    their snapshot holds."""

    @abstractmethod
    def admit(self) -> admission.Admission:
        """Whom the route lets in (raises the DomainError that closes the websocket)."""

    @abstractmethod
    def snapshot(self, watched: UUID) -> dict[str, Any]:
        """The first frame: the watched buses' last known positions."""

    async def connect(self) -> None:
        self._pending: dict[str, dict[str, Any]] = {}
        self._sent_fixed_at: dict[str, str] = {}
        self._pending_eta: dict[str, Any] | None = None
        self._sent_eta_as_of = ""
        self._flusher: asyncio.Task[None] | None = None
        self._next_frame_at = 0.0
        self._tick = settings.TRACKING_WS_TICK_MS / 1000
        try:
            admitted = await database_sync_to_async(self.admit)()
        except DomainError as error:
            await self.accept(scope_subprotocol(self.scope))
            await self.close(code=admission.close_code(error))
            return
        self.groups = list(admitted.groups)  # left again by the base class on disconnect
        for group in self.groups:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept(scope_subprotocol(self.scope))
        first = await database_sync_to_async(self.snapshot)(admitted.scope_id)
        for bus in first["buses"]:
            self._sent_fixed_at[bus["bus_id"]] = bus["fixed_at"]
        self._sent_eta_as_of = first.get("eta_as_of") or ""
        await self.send(text_data=json.dumps(first))

    async def dispatch(self, message: dict[str, Any]) -> None:
        """Relayed updates go straight to their handler. Channels' own dispatch first closes stale database
        connections, a hop to its database thread for every message; these handlers never touch the database,
        and at a thousand watchers that hop is most of the cost of a delivery (bench/tracking_websockets.py)."""
        relay = self._RELAYED.get(message["type"])
        if relay is not None:
            await relay(self, message)
        else:
            await super().dispatch(message)

    async def disconnect(self, code: int) -> None:
        flusher = getattr(self, "_flusher", None)
        if flusher is not None:
            flusher.cancel()

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """Watchers only listen; what they send is ignored."""

    async def bus_position(self, event: dict[str, Any]) -> None:
        bus = event["bus"]
        bus_id = bus["bus_id"]
        if bus["fixed_at"] <= self._sent_fixed_at.get(bus_id, ""):
            return  # already sent this or a newer one (in the snapshot, or a redelivered update)
        pending = self._pending.get(bus_id)
        if pending is None or pending["fixed_at"] < bus["fixed_at"]:
            self._pending[bus_id] = bus
        self._flush_soon()

    async def trip_eta(self, event: dict[str, Any]) -> None:
        """A trip's new expected times (trip watchers only: the trip's group carries them)."""
        if event["as_of"] <= self._sent_eta_as_of:
            return
        if self._pending_eta is None or self._pending_eta["as_of"] < event["as_of"]:
            self._pending_eta = event
        self._flush_soon()

    _RELAYED: ClassVar[dict[str, Callable[[Any, dict[str, Any]], Awaitable[None]]]] = {
        "bus.position": bus_position, "trip.eta": trip_eta}

    def _flush_soon(self) -> None:
        if self._flusher is None:
            self._flusher = asyncio.ensure_future(self._flush())

    async def _flush(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._pending or self._pending_eta is not None:
                wait = self._next_frame_at - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                buses, self._pending = list(self._pending.values()), {}
                estimate, self._pending_eta = self._pending_eta, None
                for bus in buses:
                    self._sent_fixed_at[bus["bus_id"]] = bus["fixed_at"]
                self._next_frame_at = loop.time() + self._tick
                if buses:
                    await self.send(text_data=json.dumps({"type": "positions", "buses": buses}))
                if estimate is not None:
                    self._sent_eta_as_of = estimate["as_of"]
                    await self.send(text_data=json.dumps({"type": "eta", "trip_id": estimate["trip_id"],
                                                          "as_of": estimate["as_of"], "stops": estimate["stops"]}))
        finally:
            self._flusher = None


class TripWatchConsumer(WatchConsumer):
    """A trip's bus, for the trip's ticket holders and its company's staff (anyone, if the company says so)."""

    def admit(self) -> admission.Admission:
        return admission.trip_watch_admit(principal=scope_principal(self.scope),
                                          trip_id=route_kwargs(self.scope)["trip_id"])

    def snapshot(self, watched: UUID) -> dict[str, Any]:
        return admission.trip_snapshot(trip_id=watched)


class FleetWatchConsumer(WatchConsumer):
    """Every bus of the dispatcher's company (a company id in the path for staff of several)."""

    def admit(self) -> admission.Admission:
        return admission.fleet_watch_admit(principal=scope_principal(self.scope),
                                           company_id=route_kwargs(self.scope).get("company_id"))

    def snapshot(self, watched: UUID) -> dict[str, Any]:
        return admission.fleet_snapshot(company_id=watched)
