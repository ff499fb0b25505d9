"""Sales limits: how many seats one booking holds, how many live holds one user or device keeps, how often
a hold may be extended, how big and how old a POS device's offline sync may be. The seat and hold limits are
the company's (company settings), falling back to the platform's defaults in Django settings."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

from apps.company.api import CompanySettings
from transport.principal import Principal, PrincipalKind

HOLDER_KEY_LENGTH = 80  # Booking.holder; a system principal's name could be longer


def max_seats_per_booking(company: CompanySettings) -> int:
    return company.max_seats_per_booking or settings.TICKETING_MAX_SEATS_PER_BOOKING


def max_active_holds(principal: Principal, company: CompanySettings) -> int:
    if principal.kind is PrincipalKind.DEVICE:
        return company.max_active_holds_per_device or settings.TICKETING_MAX_ACTIVE_HOLDS_PER_DEVICE
    return company.max_active_holds_per_user or settings.TICKETING_MAX_ACTIVE_HOLDS_PER_USER


def max_hold_extensions() -> int:
    return settings.TICKETING_MAX_HOLD_EXTENSIONS


def max_pos_sync_batch() -> int:
    return settings.TICKETING_MAX_POS_SYNC_BATCH


def pos_sale_max_age() -> timedelta:
    """An offline sale older than this when synced is refused: its cash should have been accounted for."""
    return timedelta(days=settings.TICKETING_POS_SALE_MAX_AGE_DAYS)


def device_clock_skew() -> timedelta:
    """How far ahead of the server's clock a device's may run before its sales or scans count as made in the
    future."""
    return timedelta(seconds=settings.TICKETING_POS_CLOCK_SKEW_SECONDS)


def boarding_window_before_departure() -> timedelta:
    """How long before a trip's departure its passengers may board: an offline scan claiming an earlier time is
    refused (nobody boards a bus half a day before it leaves; a device whose clock says so is wrong)."""
    return timedelta(hours=settings.TICKETING_BOARDING_EARLIEST_HOURS)


def max_boarding_sync() -> int:
    return settings.TICKETING_MAX_BOARDING_SYNC


def holder_key(principal: Principal) -> str:
    """Whose holds count together: a device's sales are the device's, a user's their own."""
    if principal.kind is PrincipalKind.DEVICE:
        return f"device:{principal.id}"
    return f"{principal.kind}:{principal.user_id or principal.id}"[:HOLDER_KEY_LENGTH]


def seat_lock_timeout_ms() -> int:
    """How long a writer of seat rows waits for a database lock before answering seat_busy."""
    return settings.TICKETING_SEAT_LOCK_TIMEOUT_MS
