"""Reads of seat allotments: for the staff who allot seats, and for the POS device that sells them (what it
needs before going offline: the trip, the seats, which stretches of them are still its to sell, the fares)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from uuid import UUID

from apps.company import api as company_api
from apps.ticketing.access import require_seller
from apps.ticketing.inventory import selectors as inventory
from apps.ticketing.models import Fare, SeatAllotment
from apps.ticketing.permissions import MANAGE_ALLOTMENTS
from transport.errors import NotAuthenticated
from transport.principal import Principal

NOT_SELLING = frozenset({"cancelled", "arrived"})  # trips whose allotments a device no longer needs


@dataclass(frozen=True)
class FreeStretch:
    from_stop_id: UUID
    to_stop_id: UUID
    from_sequence: int
    to_sequence: int


@dataclass(frozen=True)
class AllottedSeat:
    label: str
    seat_class: str
    free: tuple[FreeStretch, ...]  # the stretches the device may still sell (empty once sold end to end)


@dataclass(frozen=True)
class AllotmentDetail:
    allotment: SeatAllotment
    trip: company_api.TripDetails
    seats: tuple[AllottedSeat, ...]
    fares: tuple[Fare, ...] = ()


def trip_allotments(*, principal: Principal, trip_id: UUID, allotment_id: UUID | None = None) -> list[AllotmentDetail]:
    """Every allotment of the trip (or the one asked for), newest first; needs ticketing.manage_allotments in
    the trip's company."""
    if not principal.is_authenticated:
        raise NotAuthenticated()
    trip = company_api.get_trip(trip_id=trip_id)
    principal.require(MANAGE_ALLOTMENTS, company_id=trip.company_id)
    allotments = SeatAllotment.objects.filter(trip_id=trip_id).order_by("-created_at", "id")
    if allotment_id is not None:
        allotments = allotments.filter(pk=allotment_id)
    return _details(list(allotments), trips={trip.id: trip})


def device_allotments(*, principal: Principal) -> list[AllotmentDetail]:
    """The calling device's active allotments on trips still running, earliest departure first, with fares."""
    device_id, company_id = require_seller(principal)
    allotments = list(SeatAllotment.objects.filter(device_id=device_id, company_id=company_id,
                                                   state=SeatAllotment.State.ACTIVE))
    trips = {trip_id: company_api.get_trip(trip_id=trip_id) for trip_id in {a.trip_id for a in allotments}}
    trips = {trip_id: trip for trip_id, trip in trips.items() if trip.status not in NOT_SELLING}
    allotments = sorted((a for a in allotments if a.trip_id in trips),
                        key=lambda a: (trips[a.trip_id].departure_at, str(a.id)))
    fares: dict[UUID, list[Fare]] = {}
    route_fares = Fare.objects.filter(route_id__in={trip.route_id for trip in trips.values()}, company_id=company_id)
    for fare in route_fares.order_by("from_stop_id", "to_stop_id", "seat_class"):
        fares.setdefault(fare.route_id, []).append(fare)
    return [replace(detail, fares=tuple(fares.get(detail.trip.route_id, ())))
            for detail in _details(allotments, trips=trips)]


def _details(allotments: list[SeatAllotment], *, trips: dict[UUID, company_api.TripDetails]) -> list[AllotmentDetail]:
    stretches = inventory.allotted_stretches(allotment_ids=[a.id for a in allotments])
    found = []
    for allotment in allotments:
        trip = trips[allotment.trip_id]
        stop_at = {stop.sequence: stop.stop_id for stop in trip.stops}
        classes = {seat.label: seat.seat_class
                   for seat in company_api.layout_seats(layout_version_id=trip.layout_version_id)}
        free: dict[str, list[FreeStretch]] = {label: [] for label in allotment.seat_labels}
        for label, low, high in stretches[allotment.id]:
            free.setdefault(label, []).append(FreeStretch(from_stop_id=stop_at[low], to_stop_id=stop_at[high],
                                                          from_sequence=low, to_sequence=high))
        seats = tuple(AllottedSeat(label=label, seat_class=classes.get(label, ""), free=tuple(free[label]))
                      for label in allotment.seat_labels)
        found.append(AllotmentDetail(allotment=allotment, trip=trip, seats=seats))
    return found
