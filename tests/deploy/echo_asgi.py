"""An upstream that tells what reached it: the gateway tests put it behind nginx's /ws/ route.

HTTP: answers 200 with {"path", "headers"} as JSON.
Websocket: accepts, sends {"path", "headers"} as its first message, then echoes every text message.
"""

from __future__ import annotations

import json
from typing import Any


def _seen(scope: dict[str, Any]) -> str:
    headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]}
    return json.dumps({"path": scope["path"], "headers": headers})


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "http":
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": _seen(scope).encode()})
        return
    if scope["type"] != "websocket":
        return
    await receive()  # websocket.connect
    await send({"type": "websocket.accept"})
    await send({"type": "websocket.send", "text": _seen(scope)})
    while True:
        message = await receive()
        if message["type"] == "websocket.disconnect":
            return
        await send({"type": "websocket.send", "text": message.get("text") or ""})
