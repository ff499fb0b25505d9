"""The seat inventory: taking seats on a stretch, expiring lapsed holds, confirming and freeing rows.

The exclusion constraint on SeatHold is the guard; the per-seat Redis locks only spare contended
requests a doomed insert. Writers call these steps through seat_guard.seat_guard, which takes them in the
one lock order.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Collection, Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime
from uuid import UUID

import psycopg.errors
from django.db import IntegrityError, connection

from apps.ticketing import payables
from apps.ticketing.fares import services as promos
from apps.ticketing.inventory.selectors import live_rows_on_stretch, taken_of
from apps.ticketing.inventory.stretches import stretch
from apps.ticketing.models import Booking, SeatAllotment, SeatHold
from transport.errors import Conflict, ServiceUnavailable
from transport.locks import resource_lock

logger = logging.getLogger(__name__)

LOCK_WAIT_SECONDS = 5


@contextmanager
def seat_locks(trip_id: UUID, seat_labels: list[str]) -> Iterator[None]:
    """The Redis locks of the seats, in label order. A lock not had in time is done without: it only saves
    work, and the database constraint decides either way.

    A lock this thread holds already is not taken again: a POS sale holds its seats' locks around its whole
    transaction (hold, confirmation, commit), so the confirmation inside it never waits on a lock whose
    holder waits on the sale's uncommitted rows.
    """
    held = _held_seat_locks()
    with ExitStack() as stack:
        for label in sorted(set(seat_labels)):
            key = f"{trip_id}:{label}"
            if key in held:
                continue
            try:
                stack.enter_context(resource_lock("seat", trip_id, label, wait_seconds=LOCK_WAIT_SECONDS))
            except (Conflict, ServiceUnavailable):
                logger.info("seat lock busy or unavailable, relying on the database guard", extra={"seat": label})
                continue
            held.add(key)
            stack.callback(held.discard, key)
        yield


_this_thread = threading.local()


def _held_seat_locks() -> set[str]:
    if not hasattr(_this_thread, "seat_locks"):
        _this_thread.seat_locks = set()
    return _this_thread.seat_locks


def seat_lock_keys(trip_id: UUID, seat_labels: list[str]) -> list[str]:
    """The database transaction locks of the seats, in label order (taken by seat_guard).

    A POS sale holds and then confirms its rows before it commits: without them, a second transaction inserting
    a row for the same seat waits on the sale's row, and the sale's confirmation (an update, checked again by the
    exclusion constraint) waits on that insert, a deadlock. With them, the second one waits for the sale to
    commit and is then refused cleanly (seat_taken).
    """
    return [f"ticketing-seat:{trip_id}:{label}" for label in sorted(set(seat_labels))]


def trip_sales_lock(trip_id: UUID, *, exclusive: bool) -> None:
    """The trip's sales lock, to the end of the transaction: confirmations share it, cancelling the trip's
    bookings takes it alone. So a confirmation either commits before the cancellation looks for bookings, or
    starts after and sees the trip cancelled (see confirmation._trip_not_cancelled)."""
    function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(hashtextextended(%s, 0))", [f"ticketing-trip:{trip_id}"])


def seats_refuse_if_taken(*, trip_id: UUID, seat_labels: list[str], from_sequence: int, to_sequence: int,
                          now: datetime, own_allotment_ids: Collection[UUID] = ()) -> bool:
    """A cheap early answer under the seat locks: a seat already live on the stretch is refused before any
    write (the insert would be refused anyway; this spares the losers of a rush the doomed transaction).
    Rows of `own_allotment_ids` (the selling device's allotments) count as free: the sale carves them.

    Returns whether a lapsed hold (held, expired by `now`) stands on one of the seats: only then must it be
    expired before the seats are taken.
    """
    rows = live_rows_on_stretch(trip_id=trip_id, from_sequence=from_sequence, to_sequence=to_sequence)
    taken = taken_of(rows, now=now, own_allotment_ids=own_allotment_ids)
    refused = [label for label in seat_labels if label in taken]
    if refused:
        raise seat_taken(refused)
    wanted = set(seat_labels)
    return any(label in wanted and state == SeatHold.State.HELD and expires_at <= now
               for label, state, expires_at, _allotment_id in rows)


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
    rows = list(Booking.objects.select_for_update().filter(id__in=booking_ids, state=Booking.State.HELD,
                                                           expires_at__lte=now)
                .order_by("id").values_list("id", "pay_reference"))
    if not rows:
        return 0
    lapsed = [booking_id for booking_id, _reference in rows]
    SeatHold.objects.filter(booking_id__in=lapsed, state=SeatHold.State.HELD).update(state=SeatHold.State.EXPIRED)
    Booking.objects.filter(id__in=lapsed).update(state=Booking.State.EXPIRED)
    promos.promo_uses_give_back(booking_ids=lapsed)
    # a payment already pending still confirms the booking if its seats are free then (see confirmation); a new
    # one is not started for a lapsed hold
    payables.payables_withdraw(principal=payables.RELEASER,
                               booking_ids=[booking_id for booking_id, reference in rows if reference])
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


# --- allotments: blocks of seats set aside for one POS device, carved up as the device sells them ---

def seats_allot(*, allotment: SeatAllotment, from_sequence: int, to_sequence: int, expires_at: datetime) -> None:
    """Insert the allotment's rows (one per seat, on the stretch given: the whole route); an overlapping live
    row makes the database refuse them, as for a booking's rows."""
    SeatHold.objects.bulk_create([
        SeatHold(allotment=allotment, trip_id=allotment.trip_id, seat_label=label,
                 stretch=stretch(from_sequence, to_sequence), state=SeatHold.State.ALLOTTED, expires_at=expires_at)
        for label in allotment.seat_labels
    ])


def allotment_rows_release(*, allotment_id: UUID) -> int:
    """Free what is left of an allotment; the stretches its device already sold stay with their bookings."""
    return SeatHold.objects.filter(allotment_id=allotment_id, state=SeatHold.State.ALLOTTED).update(
        state=SeatHold.State.RELEASED)


def device_allotment_ids(*, trip_id: UUID, device_id: UUID) -> list[UUID]:
    """The device's active allotments on the trip (usually none, or one)."""
    return list(SeatAllotment.objects.filter(trip_id=trip_id, device_id=device_id,
                                             state=SeatAllotment.State.ACTIVE).values_list("id", flat=True))


def allotted_stretch_carve(*, trip_id: UUID, device_id: UUID, seat_labels: list[str], from_sequence: int,
                           to_sequence: int) -> int:
    """Make room for the device's own sale of these seats on [from, to): each of its allotted rows overlapping
    the stretch, [lo, hi), is released and its parts outside the stretch, [lo, from) and [to, hi), are allotted
    again. Call in the sale's transaction just before its rows go in, so the exclusion constraint stays the
    only guard: whatever the carve leaves overlapping (another device's block, a sold seat) refuses the sale.

    The device's active allotments on the trip are locked first (id order): two sales of one device on one
    seat, or a sale and a release, carve one after the other, and the rows are read after the lock, so a
    carve always sees what the one before it left. Returns how many rows were carved.
    """
    allotment_ids = list(SeatAllotment.objects.select_for_update()
                         .filter(trip_id=trip_id, device_id=device_id, state=SeatAllotment.State.ACTIVE)
                         .order_by("id").values_list("id", flat=True))
    if not allotment_ids:
        return 0
    rows = list(SeatHold.objects.select_for_update()
                .filter(allotment_id__in=allotment_ids, seat_label__in=seat_labels, state=SeatHold.State.ALLOTTED,
                        stretch__overlap=stretch(from_sequence, to_sequence))
                .order_by("id"))
    if not rows:
        return 0
    SeatHold.objects.filter(pk__in=[row.pk for row in rows]).update(state=SeatHold.State.RELEASED)
    pieces = []
    for row in rows:
        low, high = row.stretch.lower, row.stretch.upper
        for piece_low, piece_high in ((low, from_sequence), (to_sequence, high)):
            if piece_low < piece_high:
                pieces.append(SeatHold(allotment_id=row.allotment_id, trip_id=trip_id, seat_label=row.seat_label,
                                       stretch=stretch(piece_low, piece_high), state=SeatHold.State.ALLOTTED,
                                       expires_at=row.expires_at))
    SeatHold.objects.bulk_create(pieces)
    return len(rows)
