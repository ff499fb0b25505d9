"""Cash sales from POS devices: the online counter sale and the offline sync.

Both are a booking_hold and its confirmation (confirmation.fresh_hold_confirm) in one transaction,
recorded as a PosSale under a UUID the device gives the sale. That transaction is the seat guard's
(seat_guard.seat_guard): the seats' locks are held from before the sale's row is claimed to its commit, so
another writer of the same seats waits for the sale to commit instead of deadlocking with its confirmation;
the hold inside it passes through the same guard again (the locks are already its own).

The same UUID always yields the same outcome, kept by the PosSale row's primary key: an online sale's row goes
in first (undecided), so a concurrent request of that UUID waits on the key and then reads the outcome the
first one decided. A synced sale's row goes in last, decided: its batch read the rows already stored before it
began, and an upload of the same sale running meanwhile (it queues on the same seats' locks) fails on the key
at its end, its transaction rolled back whole, and answers the stored outcome instead.

An offline sale whose seat was taken meanwhile gets another free seat of the same class on the same stretch
(the device's own allotment first, then the general inventory), or is rejected with a reason so the agent
refunds the cash. Only lasting reasons are stored as the sale's outcome; a passing trouble (a lock storm, a
hold limit) fails the upload, which the device simply sends again.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

import psycopg.errors
from django.db import IntegrityError, OperationalError
from django.utils import timezone

from apps.company import api as company_api
from apps.ticketing import policy
from apps.ticketing.access import require_seller
from apps.ticketing.fares import quotes
from apps.ticketing.inventory import selectors as inventory_selectors
from apps.ticketing.inventory import services as inventory
from apps.ticketing.inventory.seat_guard import seat_guard
from apps.ticketing.models import Booking, Channel, PosSale
from apps.ticketing.permissions import SELL_POS
from apps.ticketing.sales.services import confirmation
from apps.ticketing.sales.services.bookings import PassengerIn, booking_hold
from apps.ticketing.trips import Stretch, trip_stretch
from transport.errors import Conflict, NotFound, ValidationFailed
from transport.principal import Principal

RESEAT_ATTEMPTS = 5  # attempts of one sale: more than two only when seats keep changing under it
PENDING = "pending"  # the reason of a row while its sale is being decided (never committed as such)
_SALE_ID_KEY = f"{PosSale._meta.db_table}_pkey"  # the primary key's index, as PostgreSQL names it


@dataclass(frozen=True)
class SaleIn:
    id: UUID
    trip_id: UUID
    from_stop_id: UUID
    to_stop_id: UUID
    passengers: tuple[PassengerIn, ...]
    cash_minor: int | None = None
    made_at: datetime | None = None  # device clock, offline sales only


@dataclass(frozen=True)
class SaleResult:
    id: UUID
    outcome: str
    reason: str
    detail: str
    booking_id: UUID | None
    requested_seats: tuple[str, ...]
    seats: tuple[str, ...]
    ticket_numbers: tuple[str, ...]
    total_minor: int | None
    currency: str | None
    cash_minor: int | None


class _Rejected(Exception):  # noqa: N818 (an outcome, not a failure)
    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason, self.detail = reason, detail


class _Reseat(Exception):  # noqa: N818 (a new attempt, not a failure)
    """Leaves the attempt's transaction (rolled back whole), to try again on these passengers' seats."""

    def __init__(self, passengers: list[PassengerIn]) -> None:
        super().__init__("reseat")
        self.passengers = passengers


def sale_digest(sale: SaleIn) -> str:
    """What makes two uploads of one UUID the same sale. The time is left out: a device whose online sale got
    no answer may queue it for the offline sync under the same UUID, stamped a little later."""
    body = {"trip_id": str(sale.trip_id), "from_stop_id": str(sale.from_stop_id), "to_stop_id": str(sale.to_stop_id),
            "passengers": [[p.name, p.phone, p.passenger_type, p.seat_label] for p in sale.passengers],
            "cash_minor": sale.cash_minor}
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def payment_ref(device_id: UUID) -> str:
    return f"cash:pos:{device_id}"


def pos_sale_sell(*, principal: Principal, sale: SaleIn) -> Booking:
    """An online cash sale: held and confirmed in one step, or nothing at all (the error says why).

    Needs a POS device with ticketing.sell_pos in the trip's company. A sale id already used answers the
    booking it made (same sale), 422 sale_id_reused (another sale), or 409 sale_rejected (refused offline).
    """
    device_id, company_id = require_seller(principal)
    trip = company_api.get_trip(trip_id=sale.trip_id)
    principal.require(SELL_POS, company_id=trip.company_id)
    digest = sale_digest(sale)
    try:
        with seat_guard(trip_id=sale.trip_id, seat_labels=[p.seat_label for p in sale.passengers]):
            row = _claim(sale, device_id=device_id, company_id=company_id, digest=digest, offline=False,
                         made_at=timezone.now())
            booking = booking_hold(principal=principal, trip_id=sale.trip_id, from_stop_id=sale.from_stop_id,
                                   to_stop_id=sale.to_stop_id, passengers=list(sale.passengers), trip=trip,
                                   cash_sale=True)
            booking = _confirm(principal, booking, device_id=device_id)
            _decide(row, outcome=PosSale.Outcome.SOLD, booking=booking)
    except IntegrityError as exc:
        return _online_replay(_stored_row(exc, sale.id), device_id=device_id, digest=digest)
    return booking


def pos_sync(*, principal: Principal, sales: list[SaleIn]) -> list[SaleResult]:
    """Offline sales uploaded by their device, each decided in its own transaction; one result per sale, in
    order. Uploading the same batch again (even at the same time) decides nothing twice."""
    device_id, company_id = require_seller(principal)
    sync_batch_check(count=len(sales), ids=[sale.id for sale in sales])
    now = timezone.now()
    # sales decided by an earlier upload (the usual retry) are answered from their rows, read at once
    known = {row.id: row for row in PosSale.objects.select_related("booking")
             .prefetch_related("booking__passengers", "booking__tickets").filter(pk__in=[sale.id for sale in sales])}
    reads = _BatchReads()
    return [_stored_result(known[sale.id], sale, device_id=device_id, digest=sale_digest(sale)) if sale.id in known
            else _sync_one(principal, sale, device_id=device_id, company_id=company_id, now=now, spare=spare,
                           reads=reads)
            for sale, spare in zip(sales, _wanted_later(sales), strict=True)]


class _BatchReads:
    """What the batch's sales share, read once: their trips (a trip cancelled meanwhile is still refused: the
    confirmation reads it again under its shared sales lock) and their prices (quotes.PriceReads)."""

    def __init__(self) -> None:
        self._read: dict[UUID, company_api.TripDetails | None] = {}
        self.prices = quotes.PriceReads()

    def trip(self, trip_id: UUID) -> company_api.TripDetails | None:
        """The trip, None when there is no such trip."""
        if trip_id not in self._read:
            try:
                self._read[trip_id] = company_api.get_trip(trip_id=trip_id)
            except NotFound:
                self._read[trip_id] = None
        return self._read[trip_id]


def sale_unreadable(*, sale_id: UUID, detail: str) -> SaleResult:
    """The result of an uploaded sale whose fields could not be read (a value of the wrong shape or out of range):
    rejected, while the rest of its batch is decided. Nothing is stored, so a corrected upload under the same id
    is decided as usual."""
    return SaleResult(id=sale_id, outcome=PosSale.Outcome.REJECTED, reason="invalid_sale", detail=detail,
                      booking_id=None, requested_seats=(), seats=(), ticket_numbers=(), total_minor=None, currency=None,
                      cash_minor=None)


def _wanted_later(sales: list[SaleIn]) -> list[frozenset[str]]:
    """For each sale, the seats later sales of the batch ask for on its trip: a reseat leaves them to those
    sales while other seats of the class are free."""
    wanted: dict[UUID, set[str]] = {}
    later = []
    for sale in reversed(sales):
        later.append(frozenset(wanted.get(sale.trip_id, ())))
        wanted.setdefault(sale.trip_id, set()).update(p.seat_label for p in sale.passengers)
    return later[::-1]


def sync_batch_check(*, count: int, ids: list[UUID] | None = None) -> None:
    limit = policy.max_pos_sync_batch()
    if count > limit:
        raise ValidationFailed(f"At most {limit} sales per sync.", code="batch_too_large",
                               fields={"sales": [f"At most {limit}; send the rest in another batch."]})
    twice = sorted(str(sale_id) for sale_id, times in Counter(ids or []).items() if times > 1)
    if twice:
        raise ValidationFailed("A sale appears twice in the batch.", code="duplicate_sale_id",
                               fields={"sales": [f"Sale {sale_id} appears more than once." for sale_id in twice]})


def _sync_one(principal: Principal, sale: SaleIn, *, device_id: UUID, company_id: UUID, now: datetime,
              spare: frozenset[str], reads: _BatchReads) -> SaleResult:
    """Each attempt is a transaction of its own: a sale moved to other seats, or chosen as a deadlock's victim,
    starts again from its seat locks with nothing of the attempt before it kept (those locks included)."""
    passengers = list(sale.passengers)
    for _attempt in range(RESEAT_ATTEMPTS):
        try:
            return _sync_attempt(principal, sale, passengers, device_id=device_id, company_id=company_id, now=now,
                                 spare=spare, reads=reads)
        except _Reseat as moved:
            passengers = moved.passengers
        except OperationalError as exc:
            if not isinstance(exc.__cause__, psycopg.errors.DeadlockDetected):
                raise
    raise Conflict("The seats kept changing while this sale was placed; sync again.", code="sync_contended",
                   retry_after=1)


def _sync_attempt(principal: Principal, sale: SaleIn, passengers: list[PassengerIn], *, device_id: UUID,
                  company_id: UUID, now: datetime, spare: frozenset[str], reads: _BatchReads) -> SaleResult:
    digest = sale_digest(sale)
    row = _sale_row(sale, device_id=device_id, company_id=company_id, digest=digest, offline=True,
                    made_at=sale.made_at)
    try:
        with seat_guard(trip_id=sale.trip_id, seat_labels=[p.seat_label for p in passengers]):
            try:
                booking = _sell_offline(principal, sale, passengers, device_id=device_id, company_id=company_id,
                                        now=now, spare=spare, trip=reads.trip(sale.trip_id), prices=reads.prices)
            except _Rejected as rejected:
                return _result(_stored_decided(row, outcome=PosSale.Outcome.REJECTED, reason=rejected.reason,
                                               detail=rejected.detail))
            moved = passengers != list(sale.passengers)
            return _result(_stored_decided(row, outcome=PosSale.Outcome.RESEATED if moved else PosSale.Outcome.SOLD,
                                           reason="seat_taken" if moved else "", booking=booking))
    except IntegrityError as exc:
        return _stored_result(_stored_row(exc, sale.id), sale, device_id=device_id, digest=digest)


def _sell_offline(principal: Principal, sale: SaleIn, passengers: list[PassengerIn], *, device_id: UUID,
                  company_id: UUID, now: datetime, spare: frozenset[str], trip: company_api.TripDetails | None,
                  prices: quotes.PriceReads) -> Booking:
    """Hold and confirm on `passengers`' seats; _Rejected for a lasting reason, _Reseat with other seats when
    one was taken and others of its class are free."""
    made_at = sale.made_at or now
    if made_at > now + policy.device_clock_skew():
        raise _Rejected("made_in_future", "The sale is dated ahead of the server's clock; check the device's clock.")
    if made_at < now - policy.pos_sale_max_age():
        raise _Rejected("too_old", "The sale is too old to be synced.")
    if trip is None or trip.company_id != company_id:
        raise _Rejected("unknown_trip", "No such trip.")
    try:  # a cancelled trip: booking_hold refuses it as trip_cancelled, whenever the sale was made
        where = trip_stretch(trip_id=trip.id, from_stop_id=sale.from_stop_id, to_stop_id=sale.to_stop_id, trip=trip)
        booking = booking_hold(principal=principal, trip_id=trip.id, from_stop_id=sale.from_stop_id,
                               to_stop_id=sale.to_stop_id, passengers=passengers, sold_at=made_at, trip=trip,
                               reads=prices, cash_sale=True)
    except ValidationFailed as exc:
        raise _Rejected(exc.code, exc.detail) from None
    except Conflict as exc:
        if exc.code != "seat_taken":
            raise
        raise _Reseat(_reseat(where, passengers, device_id=device_id, now=now, spare=spare)) from None
    return _confirm(principal, booking, device_id=device_id)


def _reseat(where: Stretch, passengers: list[PassengerIn], *, device_id: UUID, now: datetime,
            spare: frozenset[str]) -> list[PassengerIn]:
    """Another free seat of the same class on the stretch for each passenger whose seat is taken: the device's
    own allotted seats first, then the rest in seat-map order, seats later sales of the batch ask for (`spare`)
    last. Rejected (no_seat_of_class) when one lacks it: a multi-seat sale is sold whole or not at all."""
    own = inventory.device_allotment_ids(trip_id=where.trip.id, device_id=device_id)
    taken = inventory_selectors.taken_seats(trip_id=where.trip.id, from_sequence=where.from_sequence,
                                            to_sequence=where.to_sequence, now=now, own_allotment_ids=own)
    allotted = inventory_selectors.allotted_stretches(allotment_ids=own)
    mine = {label for rows in allotted.values() for label, low, high in rows
            if low < where.to_sequence and where.from_sequence < high}
    seats = [seat for seat in company_api.layout_seats(layout_version_id=where.trip.layout_version_id)
             if seat.sellable]
    classes = {seat.label: seat.seat_class for seat in seats}
    kept = {p.seat_label for p in passengers if p.seat_label not in taken}
    free = sorted((seat for seat in seats if seat.label not in taken and seat.label not in kept),
                  key=lambda seat: (seat.label in spare, seat.label not in mine))  # stable: seat-map order within
    placed = []
    for passenger in passengers:
        if passenger.seat_label not in taken:
            placed.append(passenger)
            continue
        choice = next((seat for seat in free if seat.seat_class == classes.get(passenger.seat_label)), None)
        if choice is None:
            raise _Rejected("no_seat_of_class",
                            f"Seat {passenger.seat_label} was taken and no other {classes.get(passenger.seat_label)} "
                            "seat is free on this stretch.")
        free.remove(choice)
        placed.append(replace(passenger, seat_label=choice.label))
    return placed


def _confirm(principal: Principal, booking: Booking, *, device_id: UUID) -> Booking:
    """Confirm the hold just made in the sale's transaction."""
    return confirmation.fresh_hold_confirm(booking=booking, principal=principal, payment_ref=payment_ref(device_id),
                                           channel=Channel.POS)


def _sale_row(sale: SaleIn, *, device_id: UUID, company_id: UUID, digest: str, offline: bool,
              made_at: datetime | None) -> PosSale:
    """The sale's row, not yet stored."""
    return PosSale(id=sale.id, company_id=company_id, device_id=device_id, trip_id=sale.trip_id,
                   made_at=made_at or timezone.now(), offline=offline, request_digest=digest,
                   requested_seats=[p.seat_label for p in sale.passengers], cash_minor=sale.cash_minor)


def _claim(sale: SaleIn, *, device_id: UUID, company_id: UUID, digest: str, offline: bool,
           made_at: datetime | None) -> PosSale:
    """Insert the sale's row (undecided), first thing in the sale's transaction. An upload of the same id still
    running makes it wait for that upload's end; one stored makes it fail with the primary key's violation. No
    savepoint of its own: the failure ends the sale's transaction (nothing in it but its locks) and the caller
    reads the stored row after it (_stored_row)."""
    row = _sale_row(sale, device_id=device_id, company_id=company_id, digest=digest, offline=offline,
                    made_at=made_at)
    row.outcome, row.reason = PosSale.Outcome.REJECTED, PENDING
    row.save(force_insert=True)
    return row


def _stored_decided(row: PosSale, *, outcome: str, reason: str = "", detail: str = "",
                    booking: Booking | None = None) -> PosSale:
    """Insert the sale's row with its outcome, last thing in the sale's transaction: the primary key's violation
    when another upload stored the sale meanwhile rolls the whole transaction back (_stored_row answers)."""
    row.outcome, row.reason, row.detail, row.booking = outcome, reason, detail[:255], booking
    row.save(force_insert=True)
    return row


def _stored_row(exc: IntegrityError, sale_id: UUID) -> PosSale:
    """The row another upload stored under the sale's id, when that is what `exc` (raised by the sale's
    transaction) says; `exc` again otherwise."""
    cause = exc.__cause__
    if not (isinstance(cause, psycopg.errors.UniqueViolation) and cause.diag.constraint_name == _SALE_ID_KEY):
        raise exc
    return PosSale.objects.select_related("booking").get(pk=sale_id)


def _decide(row: PosSale, *, outcome: str, reason: str = "", detail: str = "",
            booking: Booking | None = None) -> PosSale:
    """Record the outcome on the row this attempt claimed (written once: the claim made it this attempt's)."""
    row.outcome, row.reason, row.detail, row.booking = outcome, reason, detail[:255], booking
    row.save(update_fields=["outcome", "reason", "detail", "booking"])
    return row


def _online_replay(stored: PosSale, *, device_id: UUID, digest: str) -> Booking:
    if stored.device_id != device_id or stored.request_digest != digest:
        raise ValidationFailed("This sale id was used for another sale.", code="sale_id_reused",
                               fields={"sale_id": ["Already used for another sale; give this one a new id."]})
    if stored.booking is None:
        raise Conflict(f"This sale was rejected: {stored.reason}.", code="sale_rejected")
    return stored.booking


def _stored_result(stored: PosSale, sale: SaleIn, *, device_id: UUID, digest: str) -> SaleResult:
    if stored.device_id != device_id or stored.request_digest != digest:
        # reported, never stored: the row keeps the outcome of the sale first uploaded under this id
        return SaleResult(id=sale.id, outcome=PosSale.Outcome.REJECTED, reason="sale_id_reused",
                          detail="This sale id was used for another sale; nothing was sold for this one.",
                          booking_id=None, requested_seats=tuple(p.seat_label for p in sale.passengers), seats=(),
                          ticket_numbers=(), total_minor=None, currency=None, cash_minor=sale.cash_minor)
    return _result(stored)


def _result(row: PosSale) -> SaleResult:
    booking = row.booking
    if booking is None:
        return SaleResult(id=row.id, outcome=row.outcome, reason=row.reason, detail=row.detail, booking_id=None,
                          requested_seats=tuple(row.requested_seats), seats=(), ticket_numbers=(), total_minor=None,
                          currency=None, cash_minor=row.cash_minor)
    passengers = sorted(booking.passengers.all(), key=lambda p: p.position)
    numbers = {t.passenger_id: t.number for t in booking.tickets.all()}
    return SaleResult(id=row.id, outcome=row.outcome, reason=row.reason, detail=row.detail, booking_id=booking.id,
                      requested_seats=tuple(row.requested_seats), seats=tuple(p.seat_label for p in passengers),
                      ticket_numbers=tuple(numbers[p.id] for p in passengers if p.id in numbers),
                      total_minor=booking.total_minor, currency=booking.currency, cash_minor=row.cash_minor)
