"""The Origin check of every websocket handshake.

A browser always sends Origin, and another site's page could open a websocket to us in its visitor's name.
Our websockets authenticate with tickets or tokens rather than cookies, so such a page has nothing to
borrow; refusing foreign origins anyway keeps it that way if a cookie ever becomes enough. The rule: no
Origin (mobile apps, tracker devices: not browsers) passes; the site's own origin (the Host the client
connected to) passes; so do the origins in WEBSOCKET_ALLOWED_ORIGINS. Anything else is refused at the
handshake (HTTP 403), before any credential is looked at."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings


def _header(scope: Any, wanted: bytes) -> str | None:
    for name, value in scope.get("headers", []):
        if name == wanted:
            return str(value.decode("latin-1"))
    return None


def _normal(origin: str) -> str | None:
    """scheme://host[:port] in lower case, None for something that is not an origin."""
    try:
        parts = urlsplit(origin.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    default = {"http": 80, "https": 443}[parts.scheme]
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{parts.scheme}://{host}" + ("" if port in (None, default) else f":{port}")


def origin_allowed(scope: Any) -> bool:
    origin = _header(scope, b"origin")
    if origin is None:
        return True
    normal = _normal(origin)
    if normal is None:
        return False
    allowed = {_normal(entry) for entry in settings.WEBSOCKET_ALLOWED_ORIGINS}
    if normal in allowed:
        return True
    host = _header(scope, b"host")
    if host is None:
        return False
    return urlsplit(normal).netloc in (host.lower(), _strip_default_port(host.lower(), normal))


def _strip_default_port(host: str, origin: str) -> str:
    scheme = urlsplit(origin).scheme
    default = {"http": ":80", "https": ":443"}[scheme]
    return host[: -len(default)] if host.endswith(default) else host


class OriginGuard:
    """ASGI middleware: websocket handshakes from a foreign Origin are denied."""

    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: Any, receive: Any, send: Any) -> Any:
        if scope["type"] == "websocket" and not origin_allowed(scope):
            return await WebsocketDenier()(scope, receive, send)
        return await self.application(scope, receive, send)
