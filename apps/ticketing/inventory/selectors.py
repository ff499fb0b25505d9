"""Reads of the inventory: a trip's seat map for a stretch, trip search with seats left and the lowest fare,
the seats taken on a stretch and what is left of POS allotments. Composed from company.api (trips, layouts)
and this app's live inventory rows and fares."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import pairwise
from uuid import UUID

from django.db.backends.postgresql.psycopg_any import NumericRange
from django.utils import timezone

from apps.company import api as company_api
from apps.ticketing.fares import pricing
from apps.ticketing.inventory import stretches
from apps.ticketing.models import Fare, SeatHold
from apps.ticketing.trips import trip_stretch


@dataclass(frozen=True)
class SeatState:
    seat: company_api.Seat
    state: str  # free, held, sold or blocked
    price_minor: int | None  # the adult fare of its class on the stretch (None: no fare set)


@dataclass(frozen=True)
class SeatMap:
    trip_id: UUID
    from_stop_id: UUID
    to_stop_id: UUID
    currency: str
    layout: company_api.SeatLayout
    seats: tuple[SeatState, ...]


@dataclass(frozen=True)
class TripFound:
    offer: company_api.TripOffer
    seats_left: int
    lowest_fare_minor: int | None


def seat_map(*, trip_id: UUID, from_stop_id: UUID | None = None, to_stop_id: UUID | None = None) -> SeatMap:
    """Every seat's state on the stretch (the whole route when no stops are given)."""
    trip = company_api.get_trip(trip_id=trip_id)
    where = trip_stretch(trip_id=trip_id, trip=trip, from_stop_id=from_stop_id or trip.stops[0].stop_id,
                         to_stop_id=to_stop_id or trip.stops[-1].stop_id)
    layout = company_api.seat_layout(layout_version_id=trip.layout_version_id)
    currency = company_api.company_settings(company_id=trip.company_id).currency
    taken = taken_seats(trip_id=trip_id, from_sequence=where.from_sequence, to_sequence=where.to_sequence,
                        now=timezone.now())
    fares = {seat_class: amount for seat_class, (amount, fare_currency) in pricing.fares_for(
        company_id=trip.company_id, route_id=trip.route_id, from_stop_id=where.from_stop_id,
        to_stop_id=where.to_stop_id).items() if fare_currency == currency}
    seats = tuple(
        SeatState(seat=seat, state="blocked" if not seat.sellable else taken.get(seat.label, "free"),
                  price_minor=fares.get(seat.seat_class))
        for seat in layout.seats
    )
    return SeatMap(trip_id=trip_id, from_stop_id=where.from_stop_id, to_stop_id=where.to_stop_id, currency=currency,
                   layout=layout, seats=seats)


def trips_search(*, on: date, from_stop_ids: list[UUID], to_stop_ids: list[UUID], from_town: str | None,
                 to_town: str | None, limit: int = 50) -> list[TripFound]:
    """Trips across companies between two places on a local date, with seats left on that stretch and the
    lowest fare: company's search, then two queries here plus one per distinct seat layout."""
    offers = company_api.trips_between(on=on, from_stop_ids=from_stop_ids, to_stop_ids=to_stop_ids,
                                       from_town=from_town, to_town=to_town, limit=limit)
    if not offers:
        return []
    live = _live_rows([offer.trip_id for offer in offers], now=timezone.now())
    lowest = _lowest_fares(offers)
    found = []
    for offer in offers:
        sellable = sum(seat.sellable for seat in company_api.layout_seats(layout_version_id=offer.layout_version_id))
        wanted = stretches.stretch(offer.board.sequence, offer.alight.sequence)
        taken = {label for label, stretch in live.get(offer.trip_id, [])
                 if stretches.stretches_overlap(stretch, wanted)}
        found.append(TripFound(offer=offer, seats_left=max(0, sellable - len(taken)),
                               lowest_fare_minor=lowest.get((offer.company_id, offer.route_id, offer.board.stop_id,
                                                             offer.alight.stop_id, offer.currency))))
    return found


def _live_rows(trip_ids: list[UUID], *, now: datetime) -> dict[UUID, list[tuple[str, NumericRange]]]:
    rows = (SeatHold.objects.filter(trip_id__in=trip_ids, state__in=SeatHold.GUARDED_STATES)
            .exclude(state=SeatHold.State.HELD, expires_at__lte=now)
            .values_list("trip_id", "seat_label", "stretch"))
    live: dict[UUID, list[tuple[str, NumericRange]]] = {}
    for trip_id, label, stretch in rows:
        live.setdefault(trip_id, []).append((label, stretch))
    return live


# (company, route, boarding stop, alighting stop, currency): a fare counts only for the company that set it
FareKey = tuple[UUID, UUID, UUID, UUID, str]


def _lowest_fares(offers: list[company_api.TripOffer]) -> dict[FareKey, int]:
    """The lowest fare of each FareKey the offers could ask for."""
    rows = Fare.objects.filter(route_id__in={o.route_id for o in offers}, company_id__in={o.company_id for o in offers},
                               from_stop_id__in={o.board.stop_id for o in offers},
                               to_stop_id__in={o.alight.stop_id for o in offers})
    lowest: dict[FareKey, int] = {}
    for row in rows:
        key: FareKey = (row.company_id, row.route_id, row.from_stop_id, row.to_stop_id, row.currency)
        lowest[key] = min(lowest.get(key, row.amount_minor), row.amount_minor)
    return lowest


def taken_seats(*, trip_id: UUID, from_sequence: int, to_sequence: int, now: datetime,
                own_allotment_ids: Collection[UUID] = ()) -> dict[str, str]:
    """Seat label -> "held", "sold" or "blocked" (allotted to a POS device) for the live rows overlapping the
    stretch (lapsed holds count as free, and so do the rows of `own_allotment_ids` for the device that owns
    them)."""
    return taken_of(live_rows_on_stretch(trip_id=trip_id, from_sequence=from_sequence, to_sequence=to_sequence),
                    now=now, own_allotment_ids=own_allotment_ids)


# (seat label, state, expires at, allotment id) of a guarded row
LiveRow = tuple[str, str, datetime, UUID | None]


def live_rows_on_stretch(*, trip_id: UUID, from_sequence: int, to_sequence: int) -> list[LiveRow]:
    """The guarded rows (held, even lapsed; confirmed; allotted) overlapping the stretch."""
    return list(SeatHold.objects.filter(trip_id=trip_id, stretch__overlap=stretches.stretch(from_sequence, to_sequence))
                .filter(state__in=SeatHold.GUARDED_STATES)
                .values_list("seat_label", "state", "expires_at", "allotment_id"))


def taken_of(rows: list[LiveRow], *, now: datetime, own_allotment_ids: Collection[UUID]) -> dict[str, str]:
    """Seat label -> "held", "sold" or "blocked" among `rows` as of `now`."""
    taken: dict[str, str] = {}
    for label, state, expires_at, allotment_id in rows:
        if state == SeatHold.State.CONFIRMED:
            taken[label] = "sold"
        elif state == SeatHold.State.ALLOTTED:
            if allotment_id not in own_allotment_ids:
                taken.setdefault(label, "blocked")
        elif expires_at > now:
            taken.setdefault(label, "held")
    return taken


def allotted_stretches(*, allotment_ids: Collection[UUID]) -> dict[UUID, list[tuple[str, int, int]]]:
    """Allotment id -> (seat label, from sequence, to sequence) of each stretch still allotted (not yet sold),
    in seat and stretch order."""
    found: dict[UUID, list[tuple[str, int, int]]] = {allotment_id: [] for allotment_id in allotment_ids}
    rows = (SeatHold.objects.filter(allotment_id__in=list(allotment_ids), state=SeatHold.State.ALLOTTED)
            .order_by("seat_label", "stretch").values_list("allotment_id", "seat_label", "stretch"))
    for allotment_id, label, span in rows:
        found[allotment_id].append((label, span.lower, span.upper))
    return found


# (from sequence, to sequence, seats sold, seats held) of a leg between two consecutive stops of a trip
LegCount = tuple[int, int, int, int]


def taken_by_leg(*, trips: Sequence[company_api.TripDetails], now: datetime) -> dict[UUID, list[LegCount]]:
    """Per trip, in stop order, the seats riding each leg between consecutive stops: a confirmed row is sold, a
    hold not yet lapsed is held. An allotment sets seats aside for a POS device and carries nobody until it
    sells them, so it counts in neither. One query."""
    rows = (SeatHold.objects.filter(trip_id__in=[trip.id for trip in trips], state__in=SeatHold.LIVE_STATES)
            .exclude(state=SeatHold.State.HELD, expires_at__lte=now)
            .values_list("trip_id", "seat_label", "state", "stretch"))
    by_trip: dict[UUID, list[tuple[str, str, NumericRange]]] = {}
    for trip_id, label, state, span in rows:
        by_trip.setdefault(trip_id, []).append((label, state, span))
    counts: dict[UUID, list[LegCount]] = {}
    for trip in trips:
        legs = []
        for board, alight in pairwise(trip.stops):
            leg = stretches.stretch(board.sequence, alight.sequence)
            riding = [(label, state) for label, state, span in by_trip.get(trip.id, [])
                      if stretches.stretches_overlap(span, leg)]
            sold = {label for label, state in riding if state == SeatHold.State.CONFIRMED}
            held = {label for label, state in riding if state == SeatHold.State.HELD} - sold
            legs.append((board.sequence, alight.sequence, len(sold), len(held)))
        counts[trip.id] = legs
    return counts
