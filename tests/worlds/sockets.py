"""Opening the platform's websockets in tests: the real stack (Origin check, credential middleware, routes,
consumers) over the real pub/sub channel layer on Redis, driven by channels' communicator."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from channels.testing import WebsocketCommunicator

from apps.auth.models import User
from apps.auth.services.sessions import access_token_for
from config.websockets import websocket_application

WAIT = 5  # seconds an expected frame may take on a busy machine (a bound on waiting, not a timing assertion)


def bearer(user: User) -> list[str]:
    return ["bearer", access_token_for(user)]


class Socket:
    """One websocket client; `opening` is the first thing the server sent (a frame, or the close)."""

    def __init__(self, communicator: WebsocketCommunicator, opening: dict[str, Any]) -> None:
        self.communicator = communicator
        self.opening = opening

    @property
    def close_code(self) -> int | None:
        return self.opening.get("code") if self.opening.get("type") == "websocket.close" else None

    @property
    def first_frame(self) -> dict[str, Any]:
        assert self.opening.get("type") == "websocket.send", self.opening
        return json.loads(self.opening["text"])

    async def frame(self) -> dict[str, Any]:
        return await self.communicator.receive_json_from(timeout=WAIT)

    async def send(self, frame: dict[str, Any]) -> None:
        await self.communicator.send_json_to(frame)

    async def hears_nothing(self, seconds: float = 0.5) -> bool:
        return await self.communicator.receive_nothing(timeout=seconds)

    async def close(self) -> None:
        await self.communicator.disconnect()


async def attempt_socket(path: str, *, subprotocols: Sequence[str] = (), headers: Sequence[tuple[bytes, bytes]] = (),
                         application: Any = websocket_application) -> Socket | None:
    """The socket once the handshake is answered; None if the handshake itself was refused. `application` is the
    platform's websockets, or the same wrapped (a client that stops reading, say)."""
    communicator = WebsocketCommunicator(application, path, headers=list(headers), subprotocols=list(subprotocols))
    connected, _ = await communicator.connect(timeout=WAIT)
    if not connected:
        return None
    return Socket(communicator, await communicator.receive_output(timeout=WAIT))


async def open_socket(path: str, *, subprotocols: Sequence[str] = (), headers: Sequence[tuple[bytes, bytes]] = (),
                      application: Any = websocket_application) -> Socket:
    """The socket of a handshake that must be answered (the server may still close it at once)."""
    socket = await attempt_socket(path, subprotocols=subprotocols, headers=headers, application=application)
    assert socket is not None, f"the handshake of {path} was refused"
    return socket
