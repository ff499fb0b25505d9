"""Serving an emulator: in a thread for a test (EmulatorServer), or as its own process for the demo."""

from __future__ import annotations

import asyncio
import threading
import time
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
