"""The published interface of company: keyword-only functions returning frozen dataclasses.

Timetable reads (a trip, its seat layout, search, a company's settings) are public data, as printed on a
ticket or a timetable, and take no principal; what is only for some callers takes `principal=`.
Times are aware datetimes in the timezone of the stop they belong to (its name is alongside).
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from uuid import UUID

from django.utils import timezone as django_timezone

from apps.company import gtfs, permissions, search, selectors, timetable
from apps.company.reporting import reporting_views as reporting_views  # published: its views for questions
from apps.company.services import progress
from transport.errors import NotAuthenticated, PermissionDenied
from transport.principal import Principal

if TYPE_CHECKING:
    from apps.company.models import Company

# what a driver holds in the companies they drive for (the driver role grants it)
DRIVES_TRIPS = permissions.VIEW_OWN_TRIPS
# the permission of whoever records what a trip's bus is seen doing (tracking's system principal)
RECORD_PROGRESS = permissions.RECORD_PROGRESS
# what trip_stops_record is told: the bus arrived at / departed from a stop at a time
StopObservation = progress.StopObservation
ARRIVED = progress.ARRIVED
DEPARTED = progress.DEPARTED
# the statuses of a trip under way: its bus is its bus's current trip
UNDER_WAY = frozenset({"boarding", "departed"})


@dataclass(frozen=True)
class CompanySettings:
    company_id: UUID
    name: str
    slug: str
    country: str
    currency: str
    timezone: str
    contact_email: str
    contact_phone: str
    seat_hold_minutes: int
    sales_cutoff_minutes: int
    cancellation_cutoff_hours: int
    refund_percent: int
    late_refund_percent: int
    no_refund_hours: int
    # None: the platform's default applies
    max_seats_per_booking: int | None
    max_active_holds_per_user: int | None
    max_active_holds_per_device: int | None
    # how long a hold lasts at least once its payment is started (added later: a default keeps callers that
    # build settings themselves working)
    payment_hold_minutes: int = 15
    # anyone may follow the company's trips live (else their ticket holders and the company's staff)
    live_trips_public: bool = False
    # a trip's delay is announced once its bus runs this late (added later, with a default like the one above)
    delay_alert_minutes: int = 10
    # the language of its messages when a passenger asked for none (added later, with a default)
    language: str = "en"


@dataclass(frozen=True)
class TripStopTime:
    sequence: int
    stop_id: UUID
    name: str
    town: str
    latitude: Decimal
    longitude: Decimal
    timezone: str
    distance_km: Decimal
    arrive_at: datetime  # in `timezone`: the timetable's
    depart_at: datetime
    # what the bus was seen to do (added later): None until then, and for a stop it passed unseen
    arrived_at: datetime | None = None
    departed_at: datetime | None = None


@dataclass(frozen=True)
class TripDetails:
    id: UUID
    company_id: UUID
    route_id: UUID
    route_name: str
    route_code: str
    schedule_id: UUID | None
    bus_id: UUID
    bus_plate: str
    layout_version_id: UUID
    service_date: date
    status: str
    delay_minutes: int
    delay_reason: str
    departure_at: datetime  # at the first stop, in its timezone
    arrival_at: datetime  # at the last stop, in its timezone
    stops: tuple[TripStopTime, ...]


@dataclass(frozen=True)
class ServiceDayTrip:
    """A trip as the company's GTFS feeds name it: its id is the GTFS trip_id, its route id the route_id."""

    trip: TripDetails
    cancel_reason: str
    start_date: str  # YYYYMMDD: its GTFS service day, the date of its departure in the company's timezone
    start_time: str  # HH:MM:SS: its departure on that day's GTFS clock (past 24:00 after midnight)


@dataclass(frozen=True)
class RouteStops:
    route_id: UUID
    company_id: UUID
    stop_ids: tuple[UUID, ...]  # in the order the route calls at them


@dataclass(frozen=True)
class Seat:
    label: str
    deck: int
    row: int
    col: int
    seat_class: str
    sellable: bool


@dataclass(frozen=True)
class SeatLayout:
    version_id: UUID
    layout_id: UUID
    name: str
    number: int
    decks: int
    rows: int
    columns: int
    aisle_columns: tuple[int, ...]
    seats: tuple[Seat, ...]

    @property
    def sellable_labels(self) -> frozenset[str]:
        return frozenset(seat.label for seat in self.seats if seat.sellable)


@dataclass(frozen=True)
class SearchStop:
    stop_id: UUID
    sequence: int
    name: str
    town: str
    timezone: str
    distance_km: Decimal
    at: datetime  # departure from the boarding stop / arrival at the alighting stop, in `timezone`


@dataclass(frozen=True)
class TripOffer:
    trip_id: UUID
    company_id: UUID
    company_name: str
    currency: str
    route_id: UUID
    route_name: str
    route_code: str
    status: str
    delay_minutes: int
    bus_id: UUID
    layout_version_id: UUID
    service_date: date
    board: SearchStop
    alight: SearchStop


def company_settings(*, company_id: UUID) -> CompanySettings:
    return _settings(selectors.company_by_id(company_id=company_id))


def company_by_slug(*, slug: str) -> CompanySettings:
    """A company's settings by its slug (the agency_id of its GTFS feeds); NotFound for no such company."""
    return _settings(selectors.company_by_slug(slug=slug))


def _settings(company: Company) -> CompanySettings:
    return CompanySettings(company_id=company.id, **{
        field.name: getattr(company, field.name) for field in dataclasses.fields(CompanySettings)
        if field.name != "company_id"})


def _in_zone(instant: datetime | None, tz: str) -> datetime | None:
    return None if instant is None else timetable.in_zone(instant, tz)


def _details(rows: list[tuple[Any, ...]]) -> TripDetails:
    stops = tuple(
        TripStopTime(sequence=sequence, stop_id=stop_id, name=name, town=town, latitude=latitude,
                     longitude=longitude, timezone=tz, distance_km=distance_km,
                     arrive_at=timetable.in_zone(arrive_at, tz), depart_at=timetable.in_zone(depart_at, tz),
                     arrived_at=_in_zone(arrived_at, tz), departed_at=_in_zone(departed_at, tz))
        for (*_trip, sequence, stop_id, name, town, latitude, longitude, tz, distance_km, arrive_at, depart_at,
             arrived_at, departed_at) in rows
    )
    (trip_id, company_id, route_id, route_name, route_code, schedule_id, bus_id, bus_plate, layout_version_id,
     service_date, status, delay_minutes, delay_reason) = rows[0][:13]
    return TripDetails(
        id=trip_id, company_id=company_id, route_id=route_id, route_name=route_name, route_code=route_code,
        schedule_id=schedule_id, bus_id=bus_id, bus_plate=bus_plate, layout_version_id=layout_version_id,
        service_date=service_date, status=status, delay_minutes=delay_minutes, delay_reason=delay_reason,
        departure_at=stops[0].depart_at, arrival_at=stops[-1].arrive_at, stops=stops,
    )


def get_trip(*, trip_id: UUID) -> TripDetails:
    """A trip with its ordered stops and times (one query)."""
    return _details(selectors.trip_rows(trip_id=trip_id))


def get_trips(*, trip_ids: Collection[UUID]) -> list[TripDetails]:
    """Trips with their ordered stops and times, by departure; ids of no trip are left out (one query)."""
    rows = selectors.trips_rows(trip_ids=list(trip_ids))
    return [_details(list(group)) for _trip_id, group in itertools.groupby(rows, key=lambda row: row[0])]


def trips_of_days(*, company_id: UUID, first_day: date, last_day: date) -> list[TripDetails]:
    """The company's trips whose service date is from `first_day` to `last_day` (both included), cancelled ones
    too, with their stops, by departure (two queries)."""
    return get_trips(trip_ids=selectors.trip_ids_of_days(company_id=company_id, first_day=first_day,
                                                         last_day=last_day))


def seat_layout(*, layout_version_id: UUID) -> SeatLayout:
    version = selectors.layout_version(layout_version_id=layout_version_id)
    return SeatLayout(
        version_id=version.id, layout_id=version.layout_id, name=version.layout.name, number=version.number,
        decks=version.decks, rows=version.rows, columns=version.columns, aisle_columns=tuple(version.aisle_columns),
        seats=tuple(Seat(**seat) for seat in version.seats),
    )


@lru_cache(maxsize=1024)
def layout_seats(*, layout_version_id: UUID) -> tuple[Seat, ...]:
    """The seats of a layout version. Versions never change once made, so each process keeps them."""
    return tuple(Seat(**seat) for seat in selectors.layout_version_seats(layout_version_id=layout_version_id))


def _local_midnight(day: date, tz: str) -> datetime:
    return datetime.combine(day, time()).replace(tzinfo=timetable.zone(tz))


def service_day_trips(*, company_id: UUID, now: datetime | None = None) -> list[ServiceDayTrip]:
    """The company's trips of today's GTFS service day in its timezone, cancelled ones included, and yesterday's
    still under way (boarding or departed), by departure: public timetable data, named as the static GTFS feed
    names them. Three queries."""
    tz = company_settings(company_id=company_id).timezone
    today = timetable.in_zone(now or django_timezone.now(), tz).date()
    yesterday = today - timedelta(days=1)
    reasons = dict(selectors.departing_trips(company_id=company_id, since=_local_midnight(yesterday, tz),
                                             until=_local_midnight(today + timedelta(days=1), tz)))
    found = []
    for trip in get_trips(trip_ids=reasons):
        day = timetable.in_zone(trip.departure_at, tz).date()
        if day == today or (day == yesterday and trip.status in UNDER_WAY):
            start_date, start_time = gtfs.trip_start(departure_at=trip.departure_at, agency_timezone=tz)
            found.append(ServiceDayTrip(trip=trip, cancel_reason=reasons[trip.id], start_date=start_date,
                                        start_time=start_time))
    return found


def trip_seat_layout(*, trip_id: UUID) -> SeatLayout:
    """The layout the trip is sold on: the version it was made with (or swapped to), not the bus's latest."""
    return seat_layout(layout_version_id=selectors.trip_layout_version_id(trip_id=trip_id))


def trips_between(*, on: date, from_stop_ids: list[UUID] | None = None, to_stop_ids: list[UUID] | None = None,
                  from_town: str | None = None, to_town: str | None = None, company_id: UUID | None = None,
                  limit: int = 50) -> list[TripOffer]:
    """Bookable trips (scheduled or boarding, not yet gone) from stops or a town to stops or a town, leaving
    on a date local to the boarding stop, earliest first. Two queries."""
    stops, boarding, alighting = search.stops_at(from_stop_ids=list(from_stop_ids or []),
                                                 to_stop_ids=list(to_stop_ids or []), from_town=from_town,
                                                 to_town=to_town, company_id=company_id)
    rows = search.trip_rows(stops=stops, boarding=boarding, alighting=alighting, on=on, now=django_timezone.now(),
                            limit=limit)
    return [_offer(row, stops) for row in rows]


def _offer(row: tuple[Any, ...], stops: dict[UUID, tuple[str, str, str]]) -> TripOffer:
    (trip_id, company_id, company_name, currency, route_id, route_name, route_code, status, delay, bus_id,
     layout_version_id, service_date, *board_alight) = row
    return TripOffer(
        trip_id=trip_id, company_id=company_id, company_name=company_name, currency=currency, route_id=route_id,
        route_name=route_name, route_code=route_code, status=status, delay_minutes=delay, bus_id=bus_id,
        layout_version_id=layout_version_id, service_date=service_date,
        board=_search_stop(board_alight[:4], stops), alight=_search_stop(board_alight[4:], stops),
    )


def _search_stop(values: list[Any], stops: dict[UUID, tuple[str, str, str]]) -> SearchStop:
    sequence, stop_id, at, distance_km = values
    name, town, tz = stops[stop_id]
    return SearchStop(stop_id=stop_id, sequence=sequence, name=name, town=town, timezone=tz,
                      distance_km=distance_km, at=timetable.in_zone(at, tz))


def driver_current_trip(*, principal: Principal, driver_id: UUID) -> TripDetails | None:
    """The trip a driver is on now (boarding or departed), else their next one not yet finished.

    A driver asks for themself; others need company.view_trips in the trip's company.
    """
    trips = driver_trips(principal=principal, driver_id=driver_id, limit=1)
    return trips[0] if trips else None


def driver_trips(*, principal: Principal, driver_id: UUID, limit: int = 20) -> list[TripDetails]:
    """A driver's unfinished trips: the one under way first, then the next ones by departure.

    A driver asks for themself; others need company.view_trips in the trip's company (others are left out).
    """
    if not principal.is_authenticated:
        raise NotAuthenticated()
    try:
        trip_ids = selectors.driver_unfinished_trip_ids(principal=principal, driver_id=driver_id, limit=limit)
    except PermissionDenied:
        return []
    return [get_trip(trip_id=trip_id) for trip_id in trip_ids]


def route_stops(*, route_id: UUID) -> RouteStops:
    """A route's company and its stops in order (public timetable data). One query."""
    rows = selectors.route_stop_rows(route_id=route_id)
    return RouteStops(route_id=route_id, company_id=rows[0][0], stop_ids=tuple(stop for _, stop in rows))


def trip_driver_ids(*, trip_id: UUID) -> frozenset[UUID]:
    """The drivers rostered on a trip now (active assignments): who may board its passengers. One query."""
    return selectors.trip_driver_ids(trip_id=trip_id)


def company_choices(*, company_ids: Collection[UUID] | None = None) -> list[tuple[str, str]]:
    """(id, name) of these companies (all when None), by name: what an admin form offers to choose from."""
    return [(str(company_id), name) for company_id, name in selectors.company_names(company_ids=company_ids)]


@dataclass(frozen=True)
class TripCrew:
    trip_id: UUID
    company_id: UUID
    bus_id: UUID
    driver_ids: frozenset[UUID]  # rostered now (active assignments)


def trip_crew(*, trip_id: UUID) -> TripCrew:
    """A trip's company, bus and the drivers rostered on it now, without its stops: what each batch of a driver's
    positions needs, in one query (get_trip and trip_driver_ids take two, and read the stops). NotFound for no
    such trip."""
    company_id, bus_id, driver_ids = selectors.trip_crew_row(trip_id=trip_id)
    return TripCrew(trip_id=trip_id, company_id=company_id, bus_id=bus_id, driver_ids=frozenset(driver_ids))


def company_ids() -> list[UUID]:
    """Every company's id, by name: for platform-wide views (a platform admin's reports)."""
    return selectors.company_ids()


def bus_company_id(*, bus_id: UUID) -> UUID | None:
    """The company owning a bus, None for no such bus: how another app checks a bus it is given. One query."""
    return selectors.bus_company_id(bus_id=bus_id)


def bus_current_trip_id(*, bus_id: UUID) -> UUID | None:
    """The trip a bus is on now (boarding or departed; the latest to leave if several), else None. One query."""
    return selectors.bus_current_trip_id(bus_id=bus_id)


@dataclass(frozen=True)
class TripProgress:
    trip_id: UUID
    status: str
    delay_minutes: int  # as announced now


def _progress(trip: Any) -> TripProgress:
    return TripProgress(trip_id=trip.id, status=trip.status, delay_minutes=trip.delay_minutes)


def trip_stops_record(*, principal: Principal, trip_id: UUID,
                      observations: Sequence[StopObservation]) -> TripProgress:
    """Record arrivals at and departures from the trip's stops, in order (needs RECORD_PROGRESS). Idempotent:
    a stop's arrival or departure is kept once, with its first time, and published once; reaching a stop past
    the origin, or leaving one, departs a scheduled or boarding trip; reaching the last stop arrives it. A
    finished trip changes nothing. NotFound for no such trip or stop."""
    return _progress(progress.trip_stops_record(principal=principal, trip_id=trip_id, observations=observations))


def trip_delay_observe(*, principal: Principal, trip_id: UUID, minutes: int) -> TripProgress:
    """The trip's bus is expected `minutes` late (needs RECORD_PROGRESS): announced (trip_delayed) or cleared by
    the company's delay_alert_minutes, as `delay_to_announce` says."""
    return _progress(progress.trip_delay_observe(principal=principal, trip_id=trip_id, minutes=minutes))


def delay_to_announce(*, announced: int, observed: int, threshold: int) -> int | None:
    """The delay trip_delay_observe would announce now, None for no change: for callers that ask only when it
    would act (see the rule in apps.company.services.progress)."""
    return progress.delay_to_announce(announced=announced, observed=observed, threshold=threshold)
