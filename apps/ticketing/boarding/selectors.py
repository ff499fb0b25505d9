"""Reads of boarding: a trip's manifest, for the devices of its drivers to check codes with no network."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, TypedDict
from uuid import UUID

from django.db.models import Exists, OuterRef
from django.utils import timezone

from apps.qr import api as qr_api
from apps.ticketing.access import driver_trip
from apps.ticketing.models import Boarding, Ticket
from transport.principal import Principal

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


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
