"""Channels middleware: a websocket's token becomes `scope["principal"]` (and `scope["user"]`).

Browsers cannot set headers on a websocket, so the token may also come as the subprotocol pair
("bearer", <token>) or ("device", <credential>); an `Authorization` header is accepted too. Query
strings are not read: they end up in access logs. A missing or bad credential gives the anonymous
principal; consumers decide whether to close.
"""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.middleware import BaseMiddleware

from apps.auth import selectors
from apps.auth.jwt.authentication import user_from_access_token
from transport.principal import Principal


def _credential(scope) -> tuple[str, str] | None:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            scheme, _, raw = value.decode("latin-1").partition(" ")
            return scheme.lower(), raw.strip()
    protocols = [p.strip() for p in scope.get("subprotocols", [])]
    for index, protocol in enumerate(protocols[:-1]):
        if protocol.lower() in ("bearer", "device"):
            return protocol.lower(), protocols[index + 1]
    return None


def resolve(scope) -> tuple[object | None, Principal]:
    credential = _credential(scope)
    if credential is None:
        return None, Principal.anonymous()
    scheme, raw = credential
    if scheme == "bearer":
        user = user_from_access_token(raw)
        if user is not None:
            return user, selectors.user_principal(user=user)
    elif scheme == "device":
        device = selectors.device_by_credential(credential=raw)
        if device is not None:
            return device.user, selectors.device_principal(device=device)
    return None, Principal.anonymous()


class PrincipalMiddleware(BaseMiddleware):
    async def __call__(self, scope, receive, send):
        user, principal = await database_sync_to_async(resolve)(scope)
        scope = {**scope, "user": user, "principal": principal}
        return await super().__call__(scope, receive, send)
