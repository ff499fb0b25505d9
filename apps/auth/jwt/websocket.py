"""Channels middleware: a websocket's token becomes `scope["principal"]` (and `scope["user"]`).

Browsers cannot set headers on a websocket, so the credential comes as a subprotocol pair: ("ticket",
<ticket>) with a single-use ticket from POST /api/v1/auth/ws-tickets (what a browser should use: nothing
long-lived leaves the page), or ("bearer", <token>) / ("device", <credential>); an `Authorization` header
is accepted too. Query strings are not read: they end up in access logs. A missing or bad credential gives
the anonymous principal; consumers decide whether to close. `scope["auth_subprotocol"]` is the scheme
offered, which the consumer must echo when it accepts (a browser drops a connection that accepts none of
the subprotocols it offered).
"""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware

from apps.auth import selectors
from apps.auth.jwt.authentication import user_from_access_token
from apps.auth.jwt.websocket_tickets import ws_ticket_redeem
from transport.principal import Principal

SCHEMES = ("ticket", "bearer", "device")


def _credential(scope) -> tuple[str, str, str | None] | None:
    """(scheme, credential, the subprotocol that named the scheme, None for a header)."""
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            scheme, _, raw = value.decode("latin-1").partition(" ")
            return scheme.lower(), raw.strip(), None
    protocols = [p.strip() for p in scope.get("subprotocols", [])]
    for index, protocol in enumerate(protocols[:-1]):
        if protocol.lower() in SCHEMES:
            return protocol.lower(), protocols[index + 1], protocol
    return None


def resolve(scope) -> tuple[object | None, Principal]:
    credential = _credential(scope)
    if credential is None:
        return None, Principal.anonymous()
    scheme, raw, _protocol = credential
    if scheme == "bearer":
        user = user_from_access_token(raw)
        if user is not None:
            return user, selectors.user_principal(user=user)
    elif scheme == "ticket":
        return ws_ticket_redeem(ticket=raw)
    elif scheme == "device":
        device = selectors.device_by_credential(credential=raw)
        if device is not None:
            return device.user, selectors.device_principal(device=device)
    return None, Principal.anonymous()


class PrincipalMiddleware(BaseMiddleware):
    async def __call__(self, scope, receive, send):
        user, principal = await database_sync_to_async(resolve)(scope)
        credential = _credential(scope)
        scope = {**scope, "user": user, "principal": principal,
                 "auth_subprotocol": credential[2] if credential else None}
        return await super().__call__(scope, receive, send)
