"""A group's updates as its watchers get them: coalesced once per group per tick, encoded once, and the same text
written to every watcher of the group.

The group keeps, between two frames, each bus's newest position heard and the trip's newest expected times, and
drops anything not newer than what it already sent. Once per TRACKING_WS_TICK_MS at most it makes a `positions`
frame (and an `eta` frame) of them and offers it to each watcher, which:
- sends it in line (apps/tracking/websockets/eager.py), the common case;
- holds it back while it is not ready for it: before its snapshot went out, or while a send of its own waits on a
  client that does not read. What is held back coalesces as the group does (each bus's newest, the newest
  estimate), so a slow watcher costs at most a position per bus of memory, loses nothing but superseded
  positions, and never stalls the tick for the others; once ready, it sends what it held back, in frames of its
  own;
- right after its snapshot, leaves out what the snapshot already gave it (see `Floor`): such frames are encoded
  for that watcher alone."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from apps.tracking.websockets import eager

logger = logging.getLogger(__name__)

Bus = dict[str, Any]  # a position as apps.tracking.fanout.bus_update makes it
Estimate = dict[str, Any]  # a `trip.eta` group message
Send = Callable[[str], Awaitable[None]]  # one text frame to one websocket


def positions_frame(buses: list[Bus]) -> str:
    return json.dumps({"type": "positions", "buses": buses})


def eta_frame(estimate: Estimate) -> str:
    return json.dumps({"type": "eta", "trip_id": estimate["trip_id"], "as_of": estimate["as_of"],
                       "stops": estimate["stops"]})


class GroupFeed:
    """One group's watchers in this process, and what the group heard since its last frame."""

    def __init__(self, channel: bytes, *, tick_seconds: float) -> None:
        self.channel = channel
        self.watchers: dict[Watcher, None] = {}  # in joining order
        self.sent_fixed_at: dict[str, str] = {}  # each bus's newest position the group sent
        self.sent_eta_as_of = ""
        self.subscribed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.generation = 0  # the hub's Redis connection the group was subscribed on
        self._tick = tick_seconds
        self._buses: dict[str, Bus] = {}
        self._estimate: Estimate | None = None
        self._flusher: asyncio.Task[None] | None = None
        self._next_frame_at = 0.0

    def watch(self, send: Send) -> Watcher:
        watcher = Watcher(self, send)
        self.watchers[watcher] = None
        return watcher

    def hear(self, message: dict[str, Any]) -> None:
        """A group message, as published (apps/tracking/fanout.py)."""
        kind = message.get("type")
        if kind == "bus.position":
            bus = message["bus"]
            if bus["fixed_at"] <= self.sent_fixed_at.get(bus["bus_id"], ""):
                return  # sent already, or a newer one (a redelivered or late update)
            heard = self._buses.get(bus["bus_id"])
            if heard is None or heard["fixed_at"] < bus["fixed_at"]:
                self._buses[bus["bus_id"]] = bus
        elif kind == "trip.eta":
            if message["as_of"] <= self.sent_eta_as_of or (
                    self._estimate is not None and message["as_of"] <= self._estimate["as_of"]):
                return
            self._estimate = message
        else:
            return
        if self._flusher is None:
            self._flusher = asyncio.ensure_future(self._flush())

    def close(self) -> None:
        if self._flusher is not None:
            self._flusher.cancel()

    async def _flush(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._buses or self._estimate is not None:
                # the frame's time on the tick's grid: a sleep that overran does not push every later frame back
                frame_at = max(self._next_frame_at, loop.time())
                if frame_at > loop.time():
                    await asyncio.sleep(frame_at - loop.time())
                buses, self._buses = list(self._buses.values()), {}
                estimate, self._estimate = self._estimate, None
                for bus in buses:
                    self.sent_fixed_at[bus["bus_id"]] = bus["fixed_at"]
                if estimate is not None:
                    self.sent_eta_as_of = estimate["as_of"]
                self._next_frame_at = frame_at + self._tick
                positions = positions_frame(buses) if buses else None
                eta = eta_frame(estimate) if estimate is not None else None
                for watcher in tuple(self.watchers):
                    watcher.offer(buses, estimate, positions, eta)
        finally:
            self._flusher = None


class Floor:
    """What a watcher's snapshot gave it: each bus's `fixed_at`, the estimate's `as_of`. A frame may carry a position
    the group heard before the snapshot was read, which the snapshot then already had (or passed): the watcher's
    frames leave such ones out until the group has sent something newer of each bus (and a newer estimate). Later
    frames of the group only carry positions newer than it sent, so the entries it passed are dropped for good."""

    def __init__(self, buses: dict[str, str], eta_as_of: str) -> None:
        self.buses = buses
        self.eta_as_of = eta_as_of

    def beyond(self, feed: GroupFeed) -> Floor | None:
        """What of it the group's coming frames may still fall under; None if nothing."""
        floor = Floor({bus_id: fixed_at for bus_id, fixed_at in self.buses.items()
                       if fixed_at > feed.sent_fixed_at.get(bus_id, "")},
                      self.eta_as_of if self.eta_as_of > feed.sent_eta_as_of else "")
        return None if floor.passed else floor

    @property
    def passed(self) -> bool:
        return not self.buses and not self.eta_as_of

    def admit(self, buses: list[Bus], estimate: Estimate | None) -> tuple[list[Bus], Estimate | None]:
        """What of a frame is newer than the snapshot."""
        admitted = []
        for bus in buses:
            floor = self.buses.get(bus["bus_id"])
            if floor is None:
                admitted.append(bus)
            elif bus["fixed_at"] > floor:
                del self.buses[bus["bus_id"]]
                admitted.append(bus)
        if estimate is not None and self.eta_as_of:
            if estimate["as_of"] <= self.eta_as_of:
                estimate = None
            else:
                self.eta_as_of = ""
        return admitted, estimate


class Watcher:
    """One websocket's place in a group. Held (frames coalesce into what it holds back) until its snapshot went
    out and `release` sent what came meanwhile, and again while a send waits on its client."""

    def __init__(self, feed: GroupFeed, send: Send) -> None:
        self.feed = feed
        self.held = True
        self.gone = False
        self._send = send
        self._floor: Floor | None = None
        self._buses: dict[str, Bus] = {}
        self._estimate: Estimate | None = None
        self._finishing: asyncio.Task[None] | None = None

    async def release(self, snapshot_buses: dict[str, str], snapshot_eta_as_of: str) -> None:
        """The snapshot went out (each bus's `fixed_at` in it, and its estimate's `as_of`): send what was held back
        that is newer, then take the group's frames as they come."""
        snapshot = Floor(dict(snapshot_buses), snapshot_eta_as_of)
        # what it held back came with frames the group made before: all of the snapshot is their floor
        held, self._estimate = snapshot.admit(list(self._buses.values()), self._estimate)
        self._buses = {bus["bus_id"]: bus for bus in held}
        self._floor = Floor(snapshot_buses, snapshot_eta_as_of).beyond(self.feed)
        await self._send_held()

    def offer(self, buses: list[Bus], estimate: Estimate | None, positions: str | None, eta: str | None) -> None:
        """The group's frame (`positions` and `eta`, encoded from `buses` and `estimate`)."""
        if self.held:
            self._hold(buses, estimate)
            return
        if self._floor is not None:
            # encoded again only if something was left out: a snapshot's parked bus, which no frame carries, keeps
            # its floor for good and costs nothing
            admitted, admitted_estimate = self._floor.admit(buses, estimate)
            if self._floor.passed:
                self._floor = None
            if len(admitted) != len(buses):
                positions = positions_frame(admitted) if admitted else None
            if admitted_estimate is None:
                estimate = eta = None
        if positions is not None and not self._send_in_line(positions):
            self._hold([], estimate)
            return
        if eta is not None:
            self._send_in_line(eta)

    def leave(self) -> None:
        self.gone = self.held = True
        self._buses, self._estimate = {}, None
        if self._finishing is not None:
            self._finishing.cancel()

    def _hold(self, buses: list[Bus], estimate: Estimate | None) -> None:
        if self.gone:
            return
        for bus in buses:  # the group's frames only ever carry newer positions than its earlier ones
            self._buses[bus["bus_id"]] = bus
        if estimate is not None:
            self._estimate = estimate

    def _send_in_line(self, text: str) -> bool:
        """Send now; False if the send has to wait (the watcher is then held until it, and what it held back
        meanwhile, went out) or failed (the connection is going: its consumer leaves the group)."""
        try:
            rest = eager.start(self._send(text))
        except Exception:
            self._lost()
            return False
        if rest is None:
            return True
        self.held = True
        self._finishing = asyncio.ensure_future(self._finish(rest))
        return False

    async def _finish(self, rest: Awaitable[None]) -> None:
        try:
            await rest
            await self._send_held()
        except Exception:
            self._lost()
        finally:
            self._finishing = None

    async def _send_held(self) -> None:
        while (self._buses or self._estimate is not None) and not self.gone:
            buses, self._buses = list(self._buses.values()), {}
            estimate, self._estimate = self._estimate, None
            if self._floor is not None:
                buses, estimate = self._floor.admit(buses, estimate)
                if self._floor.passed:
                    self._floor = None
            if buses:
                await self._send(positions_frame(buses))
            if estimate is not None:
                await self._send(eta_frame(estimate))
        self.held = self.gone

    def _lost(self) -> None:
        logger.debug("tracking.watcher_send_failed", exc_info=True)
        self.gone = self.held = True
        self._buses, self._estimate = {}, None
