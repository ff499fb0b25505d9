"""The published events of identity: each signal with its typed payload (see transport.events.payloads for
how a payload may change).

The notification app delivers the two below. They carry no secret: the receiver asks
`apps.auth.api.account_link(token_id=...)` for the single-use link when it sends the message, so no
outbox row, broker message or dead letter ever holds a working token.
"""

from __future__ import annotations

from dataclasses import dataclass

from transport.events import EventPayload, EventSignal


@dataclass(frozen=True, kw_only=True)
class StaffInvited(EventPayload):
    invitation_id: str  # the token_id for api.account_link
    user_id: str
    company_id: str
    roles: list[str]
    email: str | None
    phone: str | None
    full_name: str
    expires_at: str  # ISO 8601
    invited_by: str | None  # a user id


@dataclass(frozen=True, kw_only=True)
class PasswordResetRequested(EventPayload):
    reset_id: str  # the token_id for api.account_link
    user_id: str
    email: str | None
    phone: str | None
    full_name: str
    expires_at: str  # ISO 8601


staff_invited = EventSignal(StaffInvited)
password_reset_requested = EventSignal(PasswordResetRequested)
