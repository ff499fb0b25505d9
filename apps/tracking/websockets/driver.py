"""The driver's stream, `/ws/driver/`: the driver's device (or the driver's own token) sends positions and
acknowledgements, and receives the dispatchers' messages.

Frames the driver sends (JSON objects; `ref`, up to 64 characters, is echoed in the answer):
- `{"type": "positions", "trip_id": ..., "points": [...]}`: the body of POST /api/v1/tracking/positions;
  answered `{"type": "positions.result", "trip_id", "points": [{index, outcome, reason}]}`;
- `{"type": "ack", "message_id": ...}`: answered `{"type": "ack.result", "message_id", "acknowledged_at"}`.
A frame that cannot be understood is answered `{"type": "error", "code", "detail", "errors"}` (as a
problem+json body has them) and the connection stays open.

Frames the driver receives: first `{"type": "ready", "driver_id", "pending": <count>}`, then
`{"type": "dispatch", "message": {id, kind, text, trip_id, sent_at}}` for every message not yet
acknowledged, then for each new one as dispatchers send it."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from rest_framework.exceptions import ValidationError

from apps.tracking import reporting
from apps.tracking.dispatch.services import dispatch_message_acknowledge, dispatch_messages_delivered
from apps.tracking.fanout import iso
from apps.tracking.positions_batch import batch_read, positions_answer
from apps.tracking.serializers import AckIn
from apps.tracking.websockets import admission
from apps.tracking.websockets.scope import scope_principal, scope_subprotocol
from transport.errors import DomainError
from transport.http.serializers import validated

MAX_FRAME_CHARACTERS = 256 * 1024


class FrameError(Exception):
    def __init__(self, code: str, detail: str, fields: Any = None) -> None:
        super().__init__(detail)
        self.code, self.detail, self.fields = code, detail, fields or {}


class DriverStreamConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        self._delivered: set[str] = set()
        try:
            admit = database_sync_to_async(admission.driver_stream_admit)
            admitted = await admit(principal=scope_principal(self.scope))
        except DomainError as error:
            await self.accept(scope_subprotocol(self.scope))
            await self.close(code=admission.close_code(error))
            return
        self.driver_id: UUID = admitted.scope_id
        self.groups = list(admitted.groups)
        for group in self.groups:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept(scope_subprotocol(self.scope))
        pending = await database_sync_to_async(admission.driver_pending_messages)(driver_id=self.driver_id)
        await self.send(text_data=json.dumps({"type": "ready", "driver_id": str(self.driver_id),
                                              "pending": len(pending)}))
        for message in pending:
            await self._send_message(message)

    async def _send_message(self, message: dict[str, Any]) -> None:
        self._delivered.add(message["id"])
        await self.send(text_data=json.dumps({"type": "dispatch", "message": message}))

    async def dispatch_message(self, event: dict[str, Any]) -> None:
        """A dispatcher's new message (from the driver's group)."""
        message = event["message"]
        if message["id"] in self._delivered:
            return  # already sent with the pending ones of this connection
        await self._send_message(message)
        await database_sync_to_async(dispatch_messages_delivered)(message_ids=[UUID(message["id"])])

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        ref = None
        try:
            frame = self._frame(text_data)
            ref = frame.get("ref") if isinstance(frame.get("ref"), str) and len(frame["ref"]) <= 64 else None
            answer = await database_sync_to_async(self._answer)(frame)
        except FrameError as error:
            answer = {"type": "error", "code": error.code, "detail": error.detail, "errors": error.fields}
        except ValidationError as error:
            answer = {"type": "error", "code": "validation_failed", "detail": "The frame is not valid.",
                      "errors": error.detail}
        except DomainError as error:
            answer = {"type": "error", "code": error.code, "detail": error.detail, "errors": error.fields}
        if ref is not None:
            answer["ref"] = ref
        await self.send(text_data=json.dumps(answer))

    @staticmethod
    def _frame(text: str | None) -> dict[str, Any]:
        if text is None:
            raise FrameError("text_frames_only", "Send JSON in text frames.")
        if len(text) > MAX_FRAME_CHARACTERS:
            raise FrameError("frame_too_large", f"A frame holds at most {MAX_FRAME_CHARACTERS} characters.")
        try:
            frame = json.loads(text)
        except ValueError as exc:
            raise FrameError("invalid_json", "The frame is not JSON.") from exc
        if not isinstance(frame, dict):
            raise FrameError("invalid_frame", "A frame is a JSON object.")
        return frame

    def _answer(self, frame: dict[str, Any]) -> dict[str, Any]:
        principal = scope_principal(self.scope)
        kind = frame.get("type")
        if kind == "positions":
            batch = batch_read({k: v for k, v in frame.items() if k not in ("type", "ref")})
            outcomes = reporting.driver_positions_report(principal=principal, trip_id=batch.trip_id,
                                                         reports=batch.reports)
            return {"type": "positions.result", **positions_answer(batch.trip_id, outcomes)}
        if kind == "ack":
            values = validated(AckIn, {k: v for k, v in frame.items() if k not in ("type", "ref")})
            message = dispatch_message_acknowledge(principal=principal, message_id=values["message_id"])
            assert message.acknowledged_at is not None  # set by acknowledging
            return {"type": "ack.result", "message_id": str(message.id),
                    "acknowledged_at": iso(message.acknowledged_at)}
        raise FrameError("unknown_type", "The type is one of: positions, ack.", {"type": ["Unknown."]})
