"""Announcing what moved to the websockets watching it, from wherever it happened (a WSGI request, a worker, the
ASGI process itself), through groups:

- `tracking.fleet.<company>`: every bus of a company (dispatchers' fleet view);
- `tracking.trip.<trip>`: one trip's bus (its passengers and staff);
- `tracking.driver.<user>`: a driver's dispatch messages.

A group message is one Redis PUBLISH on the channel channels_redis's pub/sub layer would use for the group, in the
layer's serializer (this module holds both, for the publishers here and for the listeners): every ASGI process
listening to the group receives it once. The watchers' groups are heard by each process's hub
(apps/tracking/websockets/hub.py: one subscription per group, one frame per group per tick); a driver's group by
the layer itself, whose members are the driver's websockets. Publishing goes straight to Redis from synchronous
code (async_to_sync would start an event loop, and the layer a Redis connection, per call); tests receive through
the real layer and the real hub what this writes, so a change in channels_redis's naming fails them."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any, cast
from uuid import UUID

import redis
from channels.layers import get_channel_layer
from channels_redis.pubsub import RedisPubSubChannelLayer
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from apps.tracking.fixes import Fix
from transport.redis_client import quick_client

logger = logging.getLogger(__name__)


def fleet_group(company_id: UUID) -> str:
    return f"tracking.fleet.{company_id}"


def trip_group(trip_id: UUID) -> str:
    return f"tracking.trip.{trip_id}"


def driver_group(user_id: UUID) -> str:
    return f"tracking.driver.{user_id}"


def iso(at: datetime) -> str:
    """UTC with microseconds, always the same width: such strings sort as their times do."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def bus_update(fix: Fix) -> dict[str, Any]:
    """A bus's new live position as watchers get it."""
    return {"bus_id": str(fix.bus_id), "trip_id": str(fix.trip_id) if fix.trip_id else None,
            "lat": fix.latitude, "lon": fix.longitude, "speed_kmh": fix.speed_kmh, "heading": fix.heading,
            "fixed_at": iso(fix.fixed_at), "received_at": iso(fix.received_at)}


def group_channel(group: str) -> str:
    """The Redis channel channels_redis's pub/sub layer publishes a group's messages on."""
    config = cast(dict[str, Any], settings.CHANNEL_LAYERS["default"].get("CONFIG", {}))
    prefix = config.get("prefix", "asgi")
    return f"{prefix}__group__{group}"


def _layer() -> RedisPubSubChannelLayer:
    layer = get_channel_layer()
    if not isinstance(layer, RedisPubSubChannelLayer):
        raise ImproperlyConfigured("Tracking's fan-out rides on channels_redis's RedisPubSubChannelLayer: "
                                   f"CHANNEL_LAYERS names {type(layer).__name__}.")
    return layer


def message_pack(message: dict[str, Any]) -> bytes:
    """A group message as published: the pub/sub layer's serializer (msgpack, encrypted if the layer is)."""
    return cast(bytes, _layer().serialize(message))


def message_unpack(data: bytes) -> dict[str, Any]:
    return cast(dict[str, Any], _layer().deserialize(data))


def group_messages_send(messages: list[tuple[str, dict[str, Any]]]) -> bool:
    """Publish each (group, message); False (and a warning) if Redis did not take them. Watchers that miss an
    update get the bus's position with the next one, or in the snapshot of a new connection."""
    try:
        pipe = quick_client().pipeline(transaction=False)
        for group, message in messages:
            pipe.publish(group_channel(group), message_pack(message))
        pipe.execute()
    except redis.RedisError:
        logger.warning("tracking.fanout_unavailable", extra={"groups": [group for group, _ in messages]})
        return False
    return True


def _position_groups(fix: Fix) -> list[str]:
    """The bus's company's fleet, and its trip's, watchers."""
    return [fleet_group(fix.company_id)] + ([trip_group(fix.trip_id)] if fix.trip_id is not None else [])


def _position_message(fix: Fix) -> dict[str, Any]:
    return {"type": "bus.position", "bus": bus_update(fix)}


def position_announce(fix: Fix) -> bool:
    """Tell the bus's company's fleet watchers, and its trip's watchers, where it is now."""
    message = _position_message(fix)
    return group_messages_send([(group, message) for group in _position_groups(fix)])


def position_publications(fix: Fix) -> list[tuple[str, bytes]]:
    """What position_announce publishes, as (channel, message) for Redis to publish itself: the live store's
    move does, once the bus moved (apps/tracking/live.py)."""
    packed = message_pack(_position_message(fix))
    return [(group_channel(group), packed) for group in _position_groups(fix)]

