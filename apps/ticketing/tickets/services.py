"""Ticket codes: ticketing decides what a ticket's code says and how long it is good for; the qr app signs it.

A code carries the company, ticket, trip, seat and stretch, so a driver's device can check it with no network
(see the manifest), and a validity end: the trip's arrival at the passenger's alighting stop plus
TICKETING_CODE_GRACE_HOURS. Boarding adds the trip's announced delay when it judges expiry, because a late
bus must not turn its passengers' tickets away.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from django.conf import settings

from apps.company import api as company_api
from apps.qr import api as qr_api
from apps.ticketing.models import Ticket


def grace() -> timedelta:
    return timedelta(hours=settings.TICKETING_CODE_GRACE_HOURS)


def code_valid_until(*, trip: company_api.TripDetails, to_sequence: int) -> datetime:
    """When a code for a ride ending at stop `to_sequence` of the trip stops being good (scheduled times)."""
    arrival = next((stop.arrive_at for stop in trip.stops if stop.sequence == to_sequence), trip.arrival_at)
    return arrival + grace()


def ticket_code_make(*, company_id: UUID, ticket_id: UUID, trip_id: UUID, seat_label: str, from_sequence: int,
                     to_sequence: int, valid_until: datetime) -> str:
    """The signed code text of one ticket (the qr app's active key signs it)."""
    return qr_api.ticket_code_sign(company_id=company_id, ticket_id=ticket_id, trip_id=trip_id, seat_label=seat_label,
                                   from_sequence=from_sequence, to_sequence=to_sequence, valid_until=valid_until)



def ticket_code_renew(*, ticket: Ticket, trip: company_api.TripDetails | None = None) -> str:
    """Sign the ticket's code again from its row as it stands (say, after it moved seats) and save both.
    `trip`: the ticket's trip when the caller has read it already.

    The code it replaces still verifies until it expires: boarding judges the ticket by its id, and shows the
    driver the seat the ticket has now.
    """
    booking = ticket.booking
    ticket.code = ticket_code_make(
        company_id=ticket.company_id, ticket_id=ticket.id, trip_id=ticket.trip_id, seat_label=ticket.seat_label,
        from_sequence=booking.from_sequence, to_sequence=booking.to_sequence,
        valid_until=code_valid_until(trip=trip or company_api.get_trip(trip_id=ticket.trip_id),
                                     to_sequence=booking.to_sequence))
    ticket.save(update_fields=["seat_label", "code"])
    return ticket.code
