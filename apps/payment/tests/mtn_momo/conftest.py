"""A tiny server that records the callbacks the MoMo emulator sends."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from transport.emulators.serving import EmulatorServer


@dataclass
class Received:
    method: str
    path: str
    body: bytes


@dataclass
class CallbackReceiver:
    base_url: str
    received: list[Received] = field(default_factory=list)

    def url(self, name: str = "payment-1") -> str:
        return f"{self.base_url}/callbacks/{name}"


@pytest.fixture(scope="session")
def _receiver_server() -> Iterator[tuple[EmulatorServer, list[Received]]]:
    received: list[Received] = []

    async def record(request: Request) -> Response:
        received.append(Received(request.method, request.url.path, await request.body()))
        return Response(status_code=200)

    app = Starlette(routes=[Route("/callbacks/{name}", record, methods=["POST", "PUT"])])
    with EmulatorServer(app) as server:
        yield server, received


@pytest.fixture
def callback_receiver(_receiver_server: tuple[EmulatorServer, list[Received]]) -> CallbackReceiver:
    server, received = _receiver_server
    received.clear()
    return CallbackReceiver(server.base_url, received)
