"""The seat inventory: taking seats on a stretch, expiring lapsed holds, confirming and freeing rows.

The exclusion constraint on SeatHold is the guard; the per-seat Redis locks only spare contended
requests a doomed insert. Locks are taken in label order so two multi-seat holds never deadlock.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime
from uuid import UUID

import psycopg.errors
from django.db import IntegrityError
from django.db.backends.postgresql.psycopg_any import NumericRange

from apps.ticketing.models import Booking, SeatHold
from apps.ticketing.services import promos
from transport.errors import Conflict
from transport.locks import resource_lock

logger = logging.getLogger(__name__)

LOCK_WAIT_SECONDS = 5


def stretch(from_sequence: int, to_sequence: int) -> NumericRange:
    return NumericRange(from_sequence, to_sequence, "[)")


@contextmanager
def seat_locks(trip_id: UUID, seat_labels: list[str]) -> Iterator[None]:
    """The Redis locks of the seats, in label order. A lock not had in time is done without: it only saves
    work, and the database constraint decides either way."""
    with ExitStack() as stack:
        for label in sorted(set(seat_labels)):
            try:
                stack.enter_context(resource_lock("seat", trip_id, label, wait_seconds=LOCK_WAIT_SECONDS))
            except Conflict:
                logger.info("seat lock busy, relying on the database guard", extra={"seat": label})
        yield


def seats_refuse_if_taken(*, trip_id: UUID, seat_labels: list[str], from_sequence: int, to_sequence: int,
                          now: datetime) -> None:
    """A cheap early answer under the seat locks: a seat already live on the stretch is refused before any
    write (the insert would be refused anyway; this spares the losers of a rush the doomed transaction)."""
    taken = taken_seats(trip_id=trip_id, from_sequence=from_sequence, to_sequence=to_sequence, now=now)
    refused = [label for label in seat_labels if label in taken]
    if refused:
        raise seat_taken(refused)


def is_overlap_violation(exc: IntegrityError) -> bool:
    return isinstance(exc.__cause__, psycopg.errors.ExclusionViolation)


def seat_taken(seat_labels: list[str]) -> Conflict:
    seats = ", ".join(sorted(seat_labels))
    return Conflict(f"Seat {seats} is taken on this stretch.", code="seat_taken",
                    fields={"seats": [f"Taken on this stretch: {seats}."]})


def lapsed_holds_expire(*, trip_id: UUID, seat_labels: list[str], from_sequence: int, to_sequence: int,
                        now: datetime) -> int:
    """Free the lapsed holds that stand in the way of these seats on this stretch (and their bookings)."""
    lapsed = SeatHold.objects.filter(trip_id=trip_id, seat_label__in=seat_labels, state=SeatHold.State.HELD,
                                     expires_at__lte=now, stretch__overlap=stretch(from_sequence, to_sequence))
    booking_ids = list(lapsed.values_list("booking_id", flat=True))
    if not booking_ids:
        return 0
    return _expire_bookings(booking_ids, now=now)


def all_lapsed_holds_expire(*, now: datetime, batch: int = 1000) -> int:
    """The periodic sweep: every held booking past its expiry, with its seats."""
    booking_ids = list(Booking.objects.filter(state=Booking.State.HELD, expires_at__lte=now)
                       .values_list("id", flat=True)[:batch])
    return _expire_bookings(booking_ids, now=now) if booking_ids else 0


def _expire_bookings(booking_ids: list[UUID], *, now: datetime) -> int:
    # lock the bookings first, in id order, as a confirmation does (booking, then its seats): no deadlock, and
    # the state condition, checked again once the lock is ours, skips what a confirmation or sweep just changed
    lapsed = list(Booking.objects.select_for_update().filter(id__in=booking_ids, state=Booking.State.HELD,
                                                             expires_at__lte=now)
                  .order_by("id").values_list("id", flat=True))
    if not lapsed:
        return 0
    SeatHold.objects.filter(booking_id__in=lapsed, state=SeatHold.State.HELD).update(state=SeatHold.State.EXPIRED)
    Booking.objects.filter(id__in=lapsed).update(state=Booking.State.EXPIRED)
    promos.promo_uses_give_back(booking_ids=lapsed)
    return len(lapsed)


def seats_take(*, booking: Booking, seat_labels: list[str], expires_at: datetime) -> None:
    """Insert the booking's inventory rows; an overlapping live row makes the database refuse them.

    Call inside the booking's transaction; the IntegrityError aborts it, so the caller's atomic block
    must be left (rolled back) before the Conflict is answered.
    """
    SeatHold.objects.bulk_create([
        SeatHold(booking=booking, trip_id=booking.trip_id, seat_label=label,
                 stretch=stretch(booking.from_sequence, booking.to_sequence), expires_at=expires_at)
        for label in seat_labels
    ])


def seats_confirm(*, booking: Booking) -> None:
    """Turn the booking's rows (held, or lapsed) into confirmed ones: raises IntegrityError (overlap) when
    another booking took a lapsed seat meanwhile."""
    SeatHold.objects.filter(booking=booking, state__in=[SeatHold.State.HELD, SeatHold.State.EXPIRED]).update(
        state=SeatHold.State.CONFIRMED)


def seats_release(*, booking: Booking) -> int:
    return SeatHold.objects.filter(booking=booking, state__in=SeatHold.LIVE_STATES).update(
        state=SeatHold.State.RELEASED)


def taken_seats(*, trip_id: UUID, from_sequence: int, to_sequence: int, now: datetime) -> dict[str, str]:
    """Seat label -> "held", "sold" or "blocked" (allotted to a POS device) for the live rows overlapping the
    stretch (lapsed holds count as free)."""
    rows = (SeatHold.objects.filter(trip_id=trip_id, stretch__overlap=stretch(from_sequence, to_sequence))
            .filter(state__in=SeatHold.GUARDED_STATES)
            .values_list("seat_label", "state", "expires_at"))
    taken: dict[str, str] = {}
    for label, state, expires_at in rows:
        if state == SeatHold.State.CONFIRMED:
            taken[label] = "sold"
        elif state == SeatHold.State.ALLOTTED:
            taken.setdefault(label, "blocked")
        elif expires_at > now:
            taken.setdefault(label, "held")
    return taken
