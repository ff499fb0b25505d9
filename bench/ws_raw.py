"""The raw primitive under the platform's fan-out: a bare `websockets` broadcast server in one process (no Django,
no Channels, no Redis), which bench/tracking_websockets.py measures with the same watchers and the same updates as
the platform, in the same run.

    python -c "from bench.ws_raw import run; run()" <port> <tick ms> <deflate|none>

GET /health/live answers 200. A websocket to /publish is a publisher: each text message it sends is a whole frame,
broadcast as it is to every watcher (one frame per update). One to /publish/ticked sends bus positions instead,
which go out once per tick, every position of the tick in one frame: the platform's coalescing, done once for all
watchers where the platform does it per watcher. Any other path is a watcher: it gets an empty snapshot, then
every frame. The server accepts the "bearer" subprotocol the watchers offer and checks no credential, and accepts
permessage-deflate only when told to (as the platform's servers decline it).
"""

from __future__ import annotations

import asyncio
import sys
from http import HTTPStatus
from typing import Any

SNAPSHOT = '{"type": "snapshot", "buses": []}'


async def _serve(port: int, tick: float, compression: str | None) -> None:
    from websockets.asyncio.server import ServerConnection, broadcast, serve

    watchers: set[ServerConnection] = set()
    pending: list[str] = []

    def health(connection: ServerConnection, request: Any) -> Any:
        if request.path == "/health/live":
            return connection.respond(HTTPStatus.OK, '{"status": "ok"}')
        return None

    async def handle(connection: ServerConnection) -> None:
        path = connection.request.path if connection.request else ""
        if path == "/publish":
            async for frame in connection:
                broadcast(watchers, frame)
        elif path == "/publish/ticked":
            async for position in connection:
                pending.append(str(position))
        else:
            await connection.send(SNAPSHOT)
            watchers.add(connection)
            try:
                await connection.wait_closed()
            finally:
                watchers.discard(connection)

    async def ticks() -> None:
        while True:
            await asyncio.sleep(tick)
            if pending:
                frame = '{"type": "positions", "buses": [' + ",".join(pending) + "]}"
                pending.clear()
                broadcast(watchers, frame)

    def bearer(connection: ServerConnection, offered: Any) -> Any:
        return "bearer" if "bearer" in offered else None  # the publisher offers none

    async with serve(handle, "127.0.0.1", port, process_request=health, select_subprotocol=bearer, max_size=None,
                     backlog=2048, compression=compression):
        ticker = asyncio.ensure_future(ticks())
        try:
            await asyncio.Future()
        finally:
            ticker.cancel()


def run() -> None:
    """The raw server process's entry (see the module's docstring)."""
    import uvloop

    uvloop.run(_serve(int(sys.argv[1]), int(sys.argv[2]) / 1000, None if sys.argv[3] == "none" else sys.argv[3]))
