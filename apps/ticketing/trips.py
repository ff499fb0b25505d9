"""What ticketing needs to know of a trip to sell a stretch of it, read through company.api."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from apps.company import api as company_api
from transport.errors import ValidationFailed

ON_SALE = frozenset({"scheduled", "boarding"})
TRIP_CANCELLED = "cancelled"  # company's trip status, as company.api reports it


@dataclass(frozen=True)
class Stretch:
    trip: company_api.TripDetails
    from_stop_id: UUID
    to_stop_id: UUID
    from_sequence: int
    to_sequence: int
    departs_at: datetime  # from the boarding stop

    @property
    def company_id(self) -> UUID:
        return self.trip.company_id


def trip_stretch(*, trip_id: UUID, from_stop_id: UUID, to_stop_id: UUID,
                 trip: company_api.TripDetails | None = None) -> Stretch:
    """The trip (NotFound if none; pass it when already read) and the stretch between two of its stops,
    boarding before alighting."""
    trip = trip or company_api.get_trip(trip_id=trip_id)
    by_stop = {stop.stop_id: stop for stop in trip.stops}
    board, alight = by_stop.get(from_stop_id), by_stop.get(to_stop_id)
    problems: dict[str, list[str]] = {}
    if board is None:
        problems["from_stop_id"] = ["This trip does not call at this stop."]
    if alight is None:
        problems["to_stop_id"] = ["This trip does not call at this stop."]
    if board is None or alight is None:
        raise ValidationFailed("The stops are not on this trip.", code="stop_not_on_trip", fields=problems)
    if board.sequence >= alight.sequence:
        raise ValidationFailed("The boarding stop must come before the alighting stop.", code="invalid_stretch",
                               fields={"to_stop_id": ["Must come after the boarding stop."]})
    return Stretch(trip=trip, from_stop_id=from_stop_id, to_stop_id=to_stop_id, from_sequence=board.sequence,
                   to_sequence=alight.sequence, departs_at=board.depart_at)


def require_on_sale(where: Stretch, *, sales_cutoff_minutes: int, now: datetime) -> None:
    if where.trip.status not in ON_SALE:
        raise ValidationFailed("This trip is not on sale.", code="trip_not_on_sale")
    if now >= where.departs_at - timedelta(minutes=sales_cutoff_minutes):
        raise ValidationFailed("Sales for this departure have closed.", code="sales_closed")


def require_distinct_seats(labels: list[str], *, field: str) -> None:
    """At least one seat, none twice: `field` names the request field the seats came in."""
    if not labels:
        raise ValidationFailed("Name at least one seat.", code="no_seats", fields={field: ["Required."]})
    if len(set(labels)) != len(labels):
        raise ValidationFailed("A seat appears twice.", code="duplicate_seat",
                               fields={field: ["Name each seat once: one seat per passenger."]})


def seat_classes(*, trip: company_api.TripDetails, labels: list[str], field: str = "passengers") -> dict[str, str]:
    """Seat label -> seat class, refusing seats the trip's bus lacks or does not sell (`field` names the
    request field the seats came in)."""
    seats = {seat.label: seat for seat in company_api.layout_seats(layout_version_id=trip.layout_version_id)}
    unknown = sorted(label for label in labels if label not in seats)
    if unknown:
        raise ValidationFailed("No such seat on this bus.", code="unknown_seat",
                               fields={field: [f"No seat {label}." for label in unknown]})
    blocked = sorted(label for label in labels if not seats[label].sellable)
    if blocked:
        raise ValidationFailed("This seat is not for sale.", code="seat_not_sellable",
                               fields={field: [f"Seat {label} is not for sale." for label in blocked]})
    return {label: seats[label].seat_class for label in labels}
