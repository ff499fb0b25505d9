"""What each event means to the people it concerns: the messages it calls for, each a kind of message, an
addressee and the values its templates fill in (already worded in the addressee's language).

Reads only: the lower apps' published interfaces, as a system principal that may read bookings, contacts and
account links. The delivery service turns a plan into delivery rows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

from apps.auth import api as auth_api
from apps.company import api as company_api
from apps.notification import audience
from apps.notification.audience import Addressee
from apps.notification.eticket import ticket_link
from apps.notification.wording import local_time, money
from apps.ticketing import api as ticketing_api
from transport.errors import NotFound
from transport.principal import Principal

READER = Principal.system("notification.planner", {ticketing_api.VIEW_BOOKINGS, auth_api.SEND_ACCOUNT_LINKS})


@dataclass(frozen=True)
class Message:
    kind: str
    to: Addressee
    context: Mapping[str, object]
    company_id: UUID | None
    ticket_id: UUID | None = None
    booking_id: UUID | None = None


@dataclass(frozen=True)
class Stretch:
    """Where and when a ticket's passenger rides: the stops' names and the departure at the boarding stop."""

    from_stop: str
    to_stop: str
    departs_at: datetime
    timezone: str


@dataclass
class _Trips:
    """Trips read once per plan, however many tickets ride them."""

    known: dict[UUID, company_api.TripDetails] = field(default_factory=dict)

    def stretch(self, *, trip_id: UUID, from_sequence: int, to_sequence: int) -> Stretch:
        if trip_id not in self.known:
            self.known[trip_id] = company_api.get_trip(trip_id=trip_id)
        stops = {stop.sequence: stop for stop in self.known[trip_id].stops}
        board, alight = stops[from_sequence], stops[to_sequence]
        return Stretch(from_stop=board.name, to_stop=alight.name, departs_at=board.depart_at,
                       timezone=board.timezone)


def _company_name(company_id: UUID) -> str:
    return company_api.company_settings(company_id=company_id).name


def _ticket_facts(notice: ticketing_api.TicketNotice, stretch: Stretch, language: str) -> dict[str, object]:
    return {"passenger_name": notice.passenger_name, "ticket_number": notice.number, "seat": notice.seat,
            "from_stop": stretch.from_stop, "to_stop": stretch.to_stop,
            "departure": local_time(stretch.departs_at, timezone=stretch.timezone, language=language),
            "company_name": _company_name(notice.company_id)}


def _passenger(notice: ticketing_api.TicketNotice) -> Addressee:
    return audience.passenger(company_id=notice.company_id, passenger_name=notice.passenger_name,
                              passenger_phone=notice.passenger_phone, holder_user_id=notice.holder_user_id)


def _about_ticket(kind: str, notice: ticketing_api.TicketNotice, trips: _Trips,
                  **extra: object) -> Message:
    to = _passenger(notice)
    stretch = trips.stretch(trip_id=notice.trip_id, from_sequence=notice.from_sequence,
                            to_sequence=notice.to_sequence)
    context = {**_ticket_facts(notice, stretch, to.language), **extra}
    return Message(kind=kind, to=to, context=context, company_id=notice.company_id, ticket_id=notice.ticket_id,
                   booking_id=notice.booking_id)


def _notice(ticket_id: UUID) -> ticketing_api.TicketNotice | None:
    found = ticketing_api.ticket_notices(principal=READER, ticket_ids=[ticket_id])
    return found[0] if found else None


def ticket_confirmed(*, ticket_id: UUID) -> list[Message]:
    notice = _notice(ticket_id)
    if notice is None or notice.state != "valid":
        return []  # cancelled before its confirmation was told: the cancellation says what matters
    return [_about_ticket("ticket_confirmed", notice, _Trips(), ticket_url=ticket_link(ticket_id=ticket_id))]


def ticket_cancelled(*, ticket_id: UUID, refundable_minor: int, currency: str, reason: str) -> list[Message]:
    """A cancelled ticket; when its trip was cancelled, the message is the trip's cancellation (what happens to
    the passenger's money included), told once per ticket whatever order the events come in."""
    notice = _notice(ticket_id)
    if notice is None:
        return []
    refund = money(refundable_minor, currency) if refundable_minor > 0 else ""
    kind = "trip_cancelled" if reason == "trip_cancelled" else "ticket_cancelled"
    extra: dict[str, object] = {"refund": refund}
    if kind == "ticket_cancelled":
        extra["seat"] = notice.seat
    return [_about_ticket(kind, notice, _Trips(), **extra)]


def ticket_seat_changed(*, ticket_id: UUID, old_seat: str, new_seat: str) -> list[Message]:
    notice = _notice(ticket_id)
    if notice is None or notice.state != "valid":
        return []
    return [_about_ticket("seat_changed", notice, _Trips(), old_seat=old_seat, new_seat=new_seat)]


def trip_delayed(*, trip_id: UUID, delay_minutes: int) -> list[Message]:
    """Every valid ticket of the trip: its passenger's departure, and when it is now expected."""
    trips = _Trips()
    messages = []
    for notice in ticketing_api.ticket_notices(principal=READER, trip_id=trip_id):
        if notice.state != "valid":
            continue
        to = _passenger(notice)
        stretch = trips.stretch(trip_id=trip_id, from_sequence=notice.from_sequence, to_sequence=notice.to_sequence)
        expected = stretch.departs_at + timedelta(minutes=delay_minutes)
        context = {**_ticket_facts(notice, stretch, to.language), "delay_minutes": str(delay_minutes),
                   "new_departure": local_time(expected, timezone=stretch.timezone, language=to.language)}
        messages.append(Message(kind="trip_delayed", to=to, context=context, company_id=notice.company_id,
                                ticket_id=notice.ticket_id, booking_id=notice.booking_id))
    return messages


def _booking(subject: str) -> ticketing_api.BookingView | None:
    booking_id = ticketing_api.booking_of_subject(subject=subject)
    if booking_id is None:
        return None
    try:
        return ticketing_api.booking_get(booking_id=booking_id, principal=READER)
    except NotFound:
        return None


def payment_failed(*, subject: str, reason: str) -> list[Message]:
    """A booking's payment failed while its seats are still held: its holder may pay again."""
    booking = _booking(subject)
    if booking is None or booking.state != "held" or booking.holder_user_id is None:
        return []
    to = audience.user(company_id=booking.company_id, user_id=booking.holder_user_id)
    if to is None:
        return []
    trip = company_api.get_trip(trip_id=booking.trip_id)
    stops = {stop.stop_id: stop for stop in trip.stops}
    board, alight = stops[booking.from_stop_id], stops[booking.to_stop_id]
    context = {"passenger_name": to.name, "amount": money(booking.total_minor, booking.currency), "reason": reason,
               "from_stop": board.name, "to_stop": alight.name,
               "departure": local_time(board.depart_at, timezone=board.timezone, language=to.language),
               "company_name": _company_name(booking.company_id)}
    return [Message(kind="payment_failed", to=to, context=context, company_id=booking.company_id,
                    booking_id=booking.id)]


def refund_completed(*, key: str, subject: str, amount_minor: int, currency: str) -> list[Message]:
    """Money went back: to the ticket's passenger when it was a ticket's, else to the booking's holder."""
    amount = money(amount_minor, currency)
    if key.startswith("ticket:"):
        try:
            notice = _notice(UUID(key.removeprefix("ticket:")))
        except ValueError:
            notice = None
        if notice is not None:
            to = _passenger(notice)
            return [Message(kind="refund_completed", to=to, company_id=notice.company_id, ticket_id=notice.ticket_id,
                            booking_id=notice.booking_id,
                            context={"passenger_name": notice.passenger_name, "amount": amount,
                                     "ticket_number": notice.number,
                                     "company_name": _company_name(notice.company_id)})]
    booking = _booking(subject)
    if booking is None or booking.holder_user_id is None:
        return []
    holder = audience.user(company_id=booking.company_id, user_id=booking.holder_user_id)
    if holder is None:
        return []
    return [Message(kind="refund_completed", to=holder, company_id=booking.company_id, booking_id=booking.id,
                    context={"passenger_name": holder.name, "amount": amount, "ticket_number": "",
                             "company_name": _company_name(booking.company_id)})]


def account_link(*, kind: str, token_id: UUID, company_id: UUID | None, user_id: UUID, full_name: str,
                 email: str | None, phone: str | None) -> list[Message]:
    """An invitation or a password reset: the link is asked of identity now (events never carry it); none is
    sent once it was used or has expired."""
    try:
        link = auth_api.account_link(principal=READER, token_id=token_id)
    except NotFound:
        return []
    to = audience.addressee(company_id=company_id, name=full_name, user_id=user_id, phone=phone or "",
                            email=email or "")
    context: dict[str, object] = {
        "full_name": full_name, "link": link.url,
        "expires": local_time(link.expires_at, timezone=_zone(company_id), language=to.language)}
    if company_id is not None:
        context["company_name"] = _company_name(company_id)
    return [Message(kind=kind, to=to, context=context, company_id=company_id)]


def _zone(company_id: UUID | None) -> str:
    return company_api.company_settings(company_id=company_id).timezone if company_id else "UTC"
