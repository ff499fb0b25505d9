"""Serving an emulator: in a thread for a test (EmulatorServer), or as its own process for the demo."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import uvicorn

STARTUP_SECONDS = 10.0


class EmulatorServer:
    """An ASGI app served by uvicorn on a free loopback port in a background thread.

        with EmulatorServer(create_app()) as server:
            client_base_url = server.base_url
    """

    def __init__(self, app: Any, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on",
                                access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._serve, name="emulator", daemon=True)
        self.base_url = ""

    def _serve(self) -> None:
        asyncio.run(self._server.serve())

    def start(self) -> str:
        self._thread.start()
        deadline = time.monotonic() + STARTUP_SECONDS
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("The emulator did not start.")
            time.sleep(0.01)
        host, port = self._server.servers[0].sockets[0].getsockname()[:2]
        self.base_url = f"http://{host}:{port}"
        return self.base_url

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=STARTUP_SECONDS)

    def __enter__(self) -> EmulatorServer:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


class PrefixRouter:
    """Several emulators behind one port, each under its own path prefix, each seeing the paths it would see on
    a server of its own (the prefix goes to root_path, so the links it builds keep it)."""

    def __init__(self, apps: dict[str, Any]) -> None:
        self.apps = apps

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan_accepted(receive, send)
            return
        path = scope["path"]
        for prefix, app in self.apps.items():
            if path == prefix or path.startswith(f"{prefix}/"):
                inner = path[len(prefix):] or "/"
                await app({**scope, "path": inner, "raw_path": inner.encode(),
                           "root_path": scope.get("root_path", "") + prefix}, receive, send)
                return
        await send({"type": "http.response.start", "status": 404, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"no emulator here"})


async def _lifespan_accepted(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
