"""A receiving server for the M-Pesa tests: it stands for our callback, result and C2B endpoints."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from transport.emulators.serving import EmulatorServer

Answerer = Callable[[bytes], dict[str, Any]]


@dataclass(frozen=True)
class Received:
    path: str
    body: bytes


class Receiver:
    """Records every POST; answers with what `answer(path, ...)` set for its path, else Daraja's "Accepted"."""

    def __init__(self) -> None:
        self.base_url = ""
        self._received: list[Received] = []
        self._answers: dict[str, Answerer] = {}
        self._lock = threading.Lock()
        self.app = Starlette(routes=[Route("/{path:path}", self._endpoint, methods=["POST"])])

    def url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}"

    def answer(self, path: str, answerer: Answerer) -> None:
        self._answers["/" + path.lstrip("/")] = answerer

    def received(self, path: str | None = None) -> list[Received]:
        with self._lock:
            return [item for item in self._received if path is None or item.path == "/" + path.lstrip("/")]

    def reset(self) -> None:
        with self._lock:
            self._received.clear()
            self._answers.clear()

    async def _endpoint(self, request: Request) -> Response:
        body = await request.body()
        with self._lock:
            self._received.append(Received(path=request.url.path, body=body))
        answerer = self._answers.get(request.url.path)
        return JSONResponse(answerer(body) if answerer else {"ResultCode": 0, "ResultDesc": "Accepted"})


@pytest.fixture(scope="session")
def _receiver_server() -> Iterator[tuple[Receiver, EmulatorServer]]:
    receiver = Receiver()
    with EmulatorServer(receiver.app) as server:
        receiver.base_url = server.base_url
        yield receiver, server


@pytest.fixture
def receiver(_receiver_server: tuple[Receiver, EmulatorServer]) -> Receiver:
    receiver, _ = _receiver_server
    receiver.reset()
    return receiver
