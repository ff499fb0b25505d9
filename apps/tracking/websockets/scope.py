"""What the websocket middleware put in a connection's scope (apps/auth's PrincipalMiddleware), typed."""

from __future__ import annotations

from typing import Any, cast

from transport.principal import Principal


def scope_principal(scope: Any) -> Principal:
    return cast(Principal, scope["principal"])


def scope_subprotocol(scope: Any) -> str | None:
    """The credential's subprotocol the client offered, which accepting must echo (else a browser hangs up)."""
    return cast(str | None, scope.get("auth_subprotocol"))


def route_kwargs(scope: Any) -> dict[str, Any]:
    return cast(dict[str, Any], scope["url_route"]["kwargs"])
