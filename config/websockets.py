"""Websocket routes under /ws/, collected from the apps that serve them."""

from apps.tracking.websockets.routing import websocket_urlpatterns as tracking_routes

websocket_urlpatterns: list = [*tracking_routes]
