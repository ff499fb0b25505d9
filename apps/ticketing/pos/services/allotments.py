"""Seat allotments: blocks of a trip's seats set aside for one POS device, so it can sell them offline.

An allotment's inventory rows (state `allotted`, on the whole route) keep every other channel off its seats
until it is released; the device's own sales carve their stretches out of them (see
inventory.allotted_stretch_carve), so a device selling inside its block never conflicts. Taking the block
goes through the one seat guard, as a hold does.
"""

from __future__ import annotations

from uuid import UUID

from django.db import transaction
from django.utils import timezone

from apps.auth import api as auth_api
from apps.company import api as company_api
from apps.ticketing.inventory import services as inventory
from apps.ticketing.inventory.seat_guard import Taking, seat_guard
from apps.ticketing.models import SeatAllotment
from apps.ticketing.permissions import MANAGE_ALLOTMENTS, SELL_POS
from apps.ticketing.trips import ON_SALE, require_distinct_seats, seat_classes
from transport.errors import NotAuthenticated, ValidationFailed
from transport.principal import Principal
from transport.tenancy import get_for


def allotment_create(*, principal: Principal, trip_id: UUID, device_id: UUID, seat_labels: list[str]) -> SeatAllotment:
    """Set the seats aside for the device on the whole route until released.

    Needs ticketing.manage_allotments in the trip's company; the device must be a live POS device of that
    company. Conflict(seat_taken) when any seat is live (held, sold, allotted) on any stretch; nothing is
    written then.
    """
    if not principal.is_authenticated:
        raise NotAuthenticated()
    trip = company_api.get_trip(trip_id=trip_id)
    principal.require(MANAGE_ALLOTMENTS, company_id=trip.company_id)
    if trip.status not in ON_SALE:
        raise ValidationFailed("This trip is not on sale.", code="trip_not_on_sale")
    require_distinct_seats(seat_labels, field="seats")
    seat_classes(trip=trip, labels=seat_labels, field="seats")
    if not auth_api.device_in_company(company_id=trip.company_id, device_id=device_id, permission=SELL_POS):
        raise ValidationFailed("No such POS device in this company.", code="unknown_device",
                               fields={"device_id": ["Not a POS device of this company that may sell now."]})
    first, last = trip.stops[0].sequence, trip.stops[-1].sequence
    now = timezone.now()
    with seat_guard(trip_id=trip_id, seat_labels=seat_labels, taking=Taking(from_sequence=first, to_sequence=last,
                                                                         now=now)):
        allotment = SeatAllotment.objects.create(
            company_id=trip.company_id, trip_id=trip_id, device_id=device_id, seat_labels=list(seat_labels),
            created_by_user_id=principal.user_id)
        inventory.seats_allot(allotment=allotment, from_sequence=first, to_sequence=last, expires_at=trip.arrival_at)
    return allotment


@transaction.atomic
def allotment_release(*, principal: Principal, allotment_id: UUID) -> SeatAllotment:
    """Give back what the device has not sold; its sales stay. Releasing a released allotment is a no-op.

    Needs ticketing.manage_allotments in the allotment's company (another company's allotment is NotFound).
    """
    if not principal.is_authenticated:
        raise NotAuthenticated()
    allotment = get_for(principal, SeatAllotment.objects.all(), allotment_id, MANAGE_ALLOTMENTS, lock=True)
    if allotment.state == SeatAllotment.State.RELEASED:
        return allotment
    return _release(allotment)


@transaction.atomic
def trip_allotments_release(*, trip_id: UUID) -> int:
    """A cancelled trip: every active allotment on it goes back (nothing is for sale any more)."""
    allotments = list(SeatAllotment.objects.select_for_update()
                      .filter(trip_id=trip_id, state=SeatAllotment.State.ACTIVE).order_by("id"))
    for allotment in allotments:
        _release(allotment)
    return len(allotments)


def _release(allotment: SeatAllotment) -> SeatAllotment:
    inventory.allotment_rows_release(allotment_id=allotment.id)
    allotment.state = SeatAllotment.State.RELEASED
    allotment.released_at = timezone.now()
    allotment.save(update_fields=["state", "released_at"])
    return allotment


