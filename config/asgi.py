"""ASGI entry point: websockets under /ws/ (and, in the local demo, HTTP too).

Websockets authenticate with a single-use ticket, a bearer token or a device credential (header or
subprotocol), never a cookie; a browser's foreign Origin is refused at the handshake all the same
(transport/websocket_origin.py), while mobile clients, which send no Origin, pass.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Django's ASGI handler runs each request's sync code in a fresh thread: persistent connections would
# mean one connection per request here, so the ASGI server uses a psycopg pool unless told otherwise.
os.environ.setdefault("DB_POOL_MAX_SIZE", "8")
django_http = get_asgi_application()

from channels.routing import ProtocolTypeRouter  # noqa: E402  (needs Django set up)

from config.websockets import websocket_application  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_http,
        "websocket": websocket_application,
    }
)
