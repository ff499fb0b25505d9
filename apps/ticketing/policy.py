"""Sales limits: how many seats one booking holds, how many live holds one user or device keeps, how often
a hold may be extended. Company-wide defaults from settings until company.api carries them per company."""

from __future__ import annotations

from django.conf import settings

from transport.principal import Principal, PrincipalKind

HOLDER_KEY_LENGTH = 80  # Booking.holder; a system principal's name could be longer


def max_seats_per_booking() -> int:
    return settings.TICKETING_MAX_SEATS_PER_BOOKING


def max_active_holds(principal: Principal) -> int:
    if principal.kind is PrincipalKind.DEVICE:
        return settings.TICKETING_MAX_ACTIVE_HOLDS_PER_DEVICE
    return settings.TICKETING_MAX_ACTIVE_HOLDS_PER_USER


def max_hold_extensions() -> int:
    return settings.TICKETING_MAX_HOLD_EXTENSIONS


def holder_key(principal: Principal) -> str:
    """Whose holds count together: a device's sales are the device's, a user's their own."""
    if principal.kind is PrincipalKind.DEVICE:
        return f"device:{principal.id}"
    return f"{principal.kind}:{principal.user_id or principal.id}"[:HOLDER_KEY_LENGTH]
