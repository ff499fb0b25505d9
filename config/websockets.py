"""Websockets under /ws/: the routes collected from the apps that serve them, behind the Origin check and the
credential middleware (what config/asgi.py serves, and what tests connect to)."""

from channels.routing import URLRouter

from apps.auth.jwt.websocket import PrincipalMiddleware
from apps.tracking.websockets.routing import websocket_urlpatterns as tracking_routes
from transport.websocket_origin import OriginGuard

websocket_urlpatterns: list = [*tracking_routes]

websocket_application = OriginGuard(PrincipalMiddleware(URLRouter(websocket_urlpatterns)))
