"""The published events of ticketing: each signal with its typed payload (see transport.events.payloads for
how a payload may change). Ids are strings, amounts integer minor units with their ISO currency, times
ISO 8601."""

from __future__ import annotations

from dataclasses import dataclass

from transport.events import EventPayload, EventSignal


@dataclass(frozen=True, kw_only=True)
class TicketConfirmed(EventPayload):
    ticket_id: str
    number: str
    booking_id: str
    trip_id: str
    company_id: str
    seat: str
    from_stop_id: str
    to_stop_id: str
    passenger_name: str
    passenger_phone: str
    code: str  # the signed QR text, for the e-ticket a notification sends


@dataclass(frozen=True, kw_only=True)
class TicketCancelled(EventPayload):
    ticket_id: str
    number: str
    booking_id: str
    trip_id: str
    company_id: str
    seat: str
    refundable_minor: int
    currency: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class BookingRefundRequired(EventPayload):
    """A payment arrived for seats that went to someone else after the hold lapsed; the money goes back."""

    booking_id: str
    trip_id: str
    company_id: str
    amount_minor: int
    currency: str
    payment_ref: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class TicketSeatChanged(EventPayload):
    """The trip's bus was swapped and the passenger's seat with it."""

    ticket_id: str
    number: str
    booking_id: str
    trip_id: str
    company_id: str
    old_seat: str
    new_seat: str
    passenger_name: str
    passenger_phone: str


@dataclass(frozen=True, kw_only=True)
class TicketBoarded(EventPayload):
    """The ticket's first boarding. An offline scan uploaded later that happened earlier moves the boarding's
    time and device, and is not announced again."""

    ticket_id: str
    trip_id: str
    company_id: str
    device_id: str
    scanned_at: str


ticket_confirmed = EventSignal(TicketConfirmed)
ticket_cancelled = EventSignal(TicketCancelled)
booking_refund_required = EventSignal(BookingRefundRequired)
ticket_seat_changed = EventSignal(TicketSeatChanged)
ticket_boarded = EventSignal(TicketBoarded)
