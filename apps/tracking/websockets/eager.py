"""Starting a send in line, as Python 3.12's eager tasks start a coroutine: it runs until it first has to wait, and
only then is it given a task of its own, which drives it on from where it stopped.

A watcher's frame usually goes out without waiting at all: the ASGI server writes it to the connection's transport
and returns. Only a client that stopped reading makes a send wait (the server's write buffer is full). Made a task
every time, a send costs an allocation and a pass through the event loop per frame per watcher, most of a delivery
at a thousand watchers; awaited in line, one slow watcher would hold up every frame after its own."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Coroutine
from typing import Any


def start(send: Awaitable[None]) -> Awaitable[None] | None:
    """Run `send` until it first waits: None if it finished (an exception it raised is raised here), else what
    finishes it when awaited."""
    if not isinstance(send, Coroutine):
        return asyncio.ensure_future(send)
    try:
        waiting_on = send.send(None)
    except StopIteration:
        return None
    return _finish(send, waiting_on)


async def _finish(coroutine: Coroutine[Any, Any, None], waiting_on: Any) -> None:
    """What a task does with a coroutine it steps: wait for the future it yielded (or, for a bare yield, one pass of
    the loop), resume it, until it returns. The resumed coroutine reads the future's result, or its exception,
    itself."""
    try:
        while True:
            if waiting_on is None:
                await asyncio.sleep(0)
            else:
                waiting_on._asyncio_future_blocking = False
                await asyncio.wait((waiting_on,))
            waiting_on = coroutine.send(None)
    except StopIteration:
        return
    except asyncio.CancelledError:
        coroutine.close()
        raise
