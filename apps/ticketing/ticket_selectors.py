"""Reads of tickets: one ticket for its owner or the company's staff, and a trip's boarding manifest for the
devices of its drivers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, TypedDict
from uuid import UUID

from django.db.models import Exists, OuterRef
from django.utils import timezone

from apps.company import api as company_api
from apps.qr import api as qr_api
from apps.ticketing import selectors
from apps.ticketing.models import Boarding, Ticket
from apps.ticketing.services.boarding import driver_trip
from transport.errors import Conflict, NotAuthenticated, NotFound
from transport.principal import Principal

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


@dataclass(frozen=True)
class TicketStop:
    stop_id: UUID
    sequence: int
    name: str


@dataclass(frozen=True)
class TicketDetail:
    ticket: Ticket
    from_stop: TicketStop
    to_stop: TicketStop
    boarding: Boarding | None


def ticket_for(*, principal: Principal, ticket_id: UUID) -> Ticket:
    """The ticket if the caller may see its booking (its holder, or staff with view_bookings); NotFound else."""
    if not principal.is_authenticated:
        raise NotAuthenticated()
    ticket = Ticket.objects.select_related("booking", "passenger").filter(pk=ticket_id).first()
    if ticket is None or not selectors.may_see(principal, ticket.booking):
        raise NotFound("No such ticket.")
    return ticket


def ticket_detail(*, principal: Principal, ticket_id: UUID) -> TicketDetail:
    """The ticket with its stretch's stops and its boarding, if it boarded."""
    ticket = ticket_for(principal=principal, ticket_id=ticket_id)
    booking = ticket.booking
    stops = {stop.sequence: stop for stop in company_api.get_trip(trip_id=ticket.trip_id).stops}

    def stop(stop_id: UUID, sequence: int) -> TicketStop:
        known = stops.get(sequence)
        return TicketStop(stop_id=stop_id, sequence=sequence, name=known.name if known else "")

    return TicketDetail(ticket=ticket, from_stop=stop(booking.from_stop_id, booking.from_sequence),
                        to_stop=stop(booking.to_stop_id, booking.to_sequence),
                        boarding=Boarding.objects.filter(ticket_id=ticket.id).first())


def ticket_code_to_draw(*, principal: Principal, ticket_id: UUID) -> str:
    """The code of a ticket to draw as a QR image. A cancelled ticket has none to show: it boards no one."""
    ticket = ticket_for(principal=principal, ticket_id=ticket_id)
    if ticket.state == Ticket.State.CANCELLED:
        raise Conflict("This ticket is cancelled.", code="ticket_cancelled")
    if not ticket.code:
        raise Conflict("This ticket has no code yet.", code="ticket_without_code")
    return ticket.code


@dataclass(frozen=True)
class ManifestEntry:
    ticket_id: UUID
    number: str
    seat: str
    passenger_name: str
    from_stop_id: UUID
    to_stop_id: UUID
    from_sequence: int
    to_sequence: int
    valid_until: datetime | None
    tag: str
    boarded: bool


@dataclass(frozen=True)
class Manifest:
    trip_id: UUID
    company_id: UUID
    generated_at: datetime
    tickets: tuple[ManifestEntry, ...]


def trip_manifest(*, principal: Principal, trip_id: UUID) -> Manifest:
    """The valid tickets of a trip, for a device of one of its drivers to check codes with no network."""
    trip = driver_trip(principal=principal, trip_id=trip_id)
    tickets = (Ticket.objects.filter(trip_id=trip.id, company_id=trip.company_id, state=Ticket.State.VALID)
               .select_related("booking", "passenger")
               .annotate(boarded=Exists(Boarding.objects.filter(ticket_id=OuterRef("pk"))))
               .order_by("seat_label", "number"))
    return Manifest(trip_id=trip.id, company_id=trip.company_id, generated_at=timezone.now(),
                    tickets=tuple(_entry(ticket) for ticket in tickets))


class _Boarded(TypedDict):
    boarded: bool


def _entry(ticket: WithAnnotations[Ticket, _Boarded]) -> ManifestEntry:
    claims = qr_api.ticket_code_read(code=ticket.code) if ticket.code else None
    booking = ticket.booking
    return ManifestEntry(
        ticket_id=ticket.id, number=ticket.number, seat=ticket.seat_label, passenger_name=ticket.passenger.name,
        from_stop_id=booking.from_stop_id, to_stop_id=booking.to_stop_id, from_sequence=booking.from_sequence,
        to_sequence=booking.to_sequence, valid_until=claims.valid_until if claims else None,
        tag=qr_api.ticket_code_tag(code=ticket.code) if ticket.code else "", boarded=ticket.boarded,
    )
