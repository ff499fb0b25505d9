"""Websocket tickets: a browser cannot put a header on a websocket, and a token in the URL ends up in access
logs. So a signed-in client first asks for a ticket over HTTP (with its usual credential), then opens the
websocket offering the subprotocol pair ("ticket", <ticket>). A ticket is random, lives a few seconds, is
stored only as its hash and is spent by the first connection that presents it."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from uuid import UUID

from django.conf import settings

from apps.auth import selectors
from apps.auth.models import Device, User
from apps.auth.redis_client import client
from transport.errors import NotAuthenticated
from transport.principal import Principal, PrincipalKind


@dataclass(frozen=True)
class WebsocketTicket:
    ticket: str
    expires_in: int  # seconds


def _key(ticket: str) -> str:
    return "auth:ws-ticket:" + hashlib.sha256(ticket.encode()).hexdigest()


def ws_ticket_issue(*, principal: Principal) -> WebsocketTicket:
    """A ticket standing for this user or device (never for the system or an anonymous caller)."""
    if principal.kind not in (PrincipalKind.USER, PrincipalKind.DEVICE):
        raise NotAuthenticated()
    ticket = secrets.token_urlsafe(32)
    holder = {"kind": str(principal.kind), "id": str(principal.id)}
    seconds = settings.WS_TICKET_SECONDS
    client(settings.REDIS_URL).set(_key(ticket), json.dumps(holder), ex=seconds)
    return WebsocketTicket(ticket=ticket, expires_in=seconds)


def ws_ticket_redeem(*, ticket: str) -> tuple[User | None, Principal]:
    """Spend a ticket: its holder's user and principal as they are now (a device revoked or a user disabled
    since the ticket was issued gets nothing), or the anonymous principal for a spent, expired or unknown
    ticket."""
    if not ticket or len(ticket) > 128:
        return None, Principal.anonymous()
    raw = client(settings.REDIS_URL).getdel(_key(ticket))
    if raw is None:
        return None, Principal.anonymous()
    holder = json.loads(raw)
    if holder["kind"] == PrincipalKind.USER:
        user = User.objects.filter(pk=UUID(holder["id"]), is_active=True).first()
        if user is not None:
            return user, selectors.user_principal(user=user)
    elif holder["kind"] == PrincipalKind.DEVICE:
        device = Device.objects.select_related("user").filter(
            pk=UUID(holder["id"]), revoked_at__isnull=True, user__is_active=True).first()
        if device is not None:
            return device.user, selectors.device_principal(device=device)
    return None, Principal.anonymous()
