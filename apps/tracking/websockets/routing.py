"""Tracking's websocket routes, mounted under /ws/ by config/websockets.py."""

from typing import Any, cast

from channels.generic.websocket import AsyncWebsocketConsumer
from django.urls import path

from apps.tracking.websockets.driver import DriverStreamConsumer
from apps.tracking.websockets.watchers import FleetWatchConsumer, TripWatchConsumer


def _asgi(consumer: type[AsyncWebsocketConsumer]) -> Any:
    """Channels routes ASGI applications with Django's path(), whose types expect a view."""
    return cast(Any, consumer.as_asgi())


websocket_urlpatterns = [
    path("ws/trips/<uuid:trip_id>/", _asgi(TripWatchConsumer)),
    path("ws/fleet/", _asgi(FleetWatchConsumer)),
    path("ws/fleet/<uuid:company_id>/", _asgi(FleetWatchConsumer)),
    path("ws/driver/", _asgi(DriverStreamConsumer)),
]
