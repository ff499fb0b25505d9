"""How an emulator calls back the URL our client gave it, as the real provider would: later, over HTTP.

Every callback is also recorded, so a test can read what was (or, with delivery held, would have been)
sent, and replay it as often and in whatever order it likes.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass
class Callback:
    url: str
    method: str
    body: bytes
    headers: dict[str, str]
    at: float = field(default_factory=time.time)
    delivered_status: int | None = None  # the answer of our server, None while not delivered (or held)
    error: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"url": self.url, "method": self.method, "body": self.body.decode(), "headers": self.headers,
                "at": self.at, "delivered_status": self.delivered_status, "error": self.error}


class CallbackSender:
    """Sends (or holds) callbacks. `hold=True`: record only, so a test delivers them itself."""

    def __init__(self) -> None:
        self.sent: list[Callback] = []
        self.hold = False
        self._tasks: set[asyncio.Task[None]] = set()

    def reset(self) -> None:
        self.sent.clear()
        self.hold = False

    def schedule(self, *, url: str, body: bytes, headers: dict[str, str] | None = None, method: str = "POST",
                 delay: float = 0.0, copies: int = 1) -> None:
        """Send `copies` identical callbacks after `delay` seconds (providers are seen to send duplicates)."""
        for _ in range(max(1, copies)):
            callback = Callback(url=url, method=method, body=body,
                                headers={"content-type": "application/json", **(headers or {})})
            self.sent.append(callback)
            if not self.hold and url:
                self._start(callback, delay)

    def release(self) -> int:
        """Stop holding, and send every callback held so far, one after the other in the order recorded (each once
        the previous one was answered); how many."""
        self.hold = False
        held = [callback for callback in self.sent if callback.delivered_status is None and not callback.error
                and callback.url]

        async def in_order() -> None:
            for callback in held:
                await self._deliver(callback, 0.0)

        self._track(asyncio.get_running_loop().create_task(in_order()))
        return len(held)

    def _start(self, callback: Callback, delay: float) -> None:
        self._track(asyncio.get_running_loop().create_task(self._deliver(callback, delay)))

    def _track(self, task: asyncio.Task[None]) -> None:
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(self, callback: Callback, delay: float) -> None:
        if delay:
            await asyncio.sleep(delay)
        with contextlib.suppress(Exception):
            async with httpx.AsyncClient(timeout=10) as client:
                try:
                    response = await client.request(callback.method, callback.url, content=callback.body,
                                                     headers=callback.headers)
                    callback.delivered_status = response.status_code
                except httpx.HTTPError as exc:
                    callback.error = f"{type(exc).__name__}: {exc}"
