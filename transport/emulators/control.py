"""What every emulator's `/_emu/` control endpoints share: reading the JSON object a test or the demo posts."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request


async def control_body(request: Request) -> dict[str, Any]:
    """The posted JSON object; ValueError (a 400 from the endpoint) for anything else."""
    try:
        body = await request.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise ValueError("The control body is not a JSON object.")
    return body
