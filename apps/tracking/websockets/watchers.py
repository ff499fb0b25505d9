"""Watching buses move: `/ws/trips/<trip>/` (a trip's bus) and `/ws/fleet/[<company>/]` (every bus of a company).

On connect the consumer joins its group in this process's hub (apps/tracking/websockets/hub.py) first, then sends a
snapshot of the last known positions (and, for a trip, its expected times at the stops), so no update falls
between the two. Then the hub relays the group's `bus.position` messages (and a trip's `trip.eta`), coalesced
(apps/tracking/websockets/feed.py): at most one round of frames per group per TRACKING_WS_TICK_MS, carrying each
bus's newest position since the last one (and the trip's newest estimate), encoded once for every watcher of the
group, and never anything older than what a watcher was already sent. The consumers themselves do nothing per
update: no channel layer, no task, no JSON of their own."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Awaitable
from typing import Any, cast
from uuid import UUID

from asgiref.typing import WebSocketSendEvent
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from apps.tracking.websockets import admission
from apps.tracking.websockets.feed import Watcher
from apps.tracking.websockets.hub import Hub, watch_hub
from apps.tracking.websockets.scope import route_kwargs, scope_principal, scope_subprotocol
from transport.errors import DomainError


class WatchConsumer(AsyncWebsocketConsumer, ABC):
    """The shared part: admission, joining the hub, the snapshot. Subclasses say whom they admit and what their
    snapshot holds."""

    # Watchers hear their updates from the hub, not from a channel layer: no layer channel of their own (with the
    # pub/sub layer, a Redis subscription and a receiving task per connection). Channels runs a consumer whose
    # alias names no configured layer without one.
    channel_layer_alias = "tracking.watchers.without-layer"

    @abstractmethod
    def admit(self) -> admission.Admission:
        """Whom the route lets in (raises the DomainError that closes the websocket)."""

    @abstractmethod
    def snapshot(self, watched: UUID) -> dict[str, Any]:
        """The first frame: the watched buses' last known positions."""

    async def connect(self) -> None:
        self._hub: Hub
        self._watching: list[Watcher] = []
        try:
            admitted = await database_sync_to_async(self.admit)()
        except DomainError as error:
            await self.accept(scope_subprotocol(self.scope))
            await self.close(code=admission.close_code(error))
            return
        self._hub = watch_hub()
        try:
            for group in admitted.groups:
                self._watching.append(await self._hub.join(group, self._send_text))
            await self.accept(scope_subprotocol(self.scope))
            first = await database_sync_to_async(self.snapshot)(admitted.scope_id)
            await self._send_text(json.dumps(first))
            sent = {bus["bus_id"]: bus["fixed_at"] for bus in first["buses"]}
            for watcher in self._watching:
                await watcher.release(sent, first.get("eta_as_of") or "")
        except BaseException:
            await self._leave()
            raise

    def _send_text(self, text: str) -> Awaitable[None]:
        """Straight to the ASGI server: the hub calls this once per frame per watcher. (The ASGI spec lets `bytes` be
        left out, and channels' test client wants it out; asgiref's type has it.)"""
        return self.base_send(cast(WebSocketSendEvent, {"type": "websocket.send", "text": text}))

    async def disconnect(self, code: int) -> None:
        await self._leave()

    async def _leave(self) -> None:
        watching, self._watching = getattr(self, "_watching", []), []
        for watcher in watching:
            await self._hub.leave(watcher)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """Watchers only listen; what they send is ignored."""


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
