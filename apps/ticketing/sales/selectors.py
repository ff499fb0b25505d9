"""Ticketing's reads, scoped to the caller: a passenger sees their own bookings, staff their company's."""

from __future__ import annotations

from uuid import UUID

from django.db.models import QuerySet

from apps.payment import api as payment_api
from apps.ticketing import payables
from apps.ticketing.access import may_see
from apps.ticketing.models import Booking
from transport.errors import NotAuthenticated, NotFound
from transport.principal import Principal


def booking_for(*, principal: Principal, booking_id: UUID, for_update: bool = False,
                with_rows: bool = False) -> Booking:
    """The booking if the caller may see it; NotFound otherwise (another's booking does not exist for them).
    `with_rows`: its passengers and tickets too (3 queries)."""
    if not principal.is_authenticated:
        raise NotAuthenticated()
    rows: QuerySet[Booking] = Booking.objects.all()
    if for_update:
        rows = rows.select_for_update()
    if with_rows:
        rows = rows.prefetch_related("passengers", "tickets")
    booking = rows.filter(pk=booking_id).first()
    if booking is None:
        raise NotFound("No such booking.")
    if not may_see(principal, booking):
        raise NotFound("No such booking.")
    return booking


def booking_detail(*, principal: Principal, booking_id: UUID) -> Booking:
    """The booking with its passengers and tickets (3 queries), for who may see it."""
    return booking_for(principal=principal, booking_id=booking_id, with_rows=True)


def booking_payments(*, principal: Principal, booking_id: UUID) -> list[payment_api.PaymentView]:
    """The payments of a booking, newest first, for who may see the booking (its holder, the company's staff)."""
    booking = booking_for(principal=principal, booking_id=booking_id)
    return payment_api.payments_of(principal=principal, subject=payables.subject_of(booking.id),
                                   company_id=booking.company_id)
