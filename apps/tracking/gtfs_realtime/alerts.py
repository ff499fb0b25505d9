"""Alerts: one per cancelled trip (NO_SERVICE) and per delayed one (SIGNIFICANT_DELAYS) not yet over, in English,
naming the agency, the route and the trip as the static feed does.

Periods: communication_period from the start of the trip's service day in the company's timezone, impact_period
from the trip's scheduled departure, both until it would have arrived (cancelled) or is expected to arrive
(delayed). The specification deprecated active_period for these two, but most consumers in use still read only
active_period, so it is there too, equal to communication_period, as the migration guide allows (a validator
warns of it: S025).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from google.transit import gtfs_realtime_pb2 as rt

from apps.company import api as company_api
from apps.tracking.gtfs_realtime.descriptors import posix, trip_descriptor
from apps.tracking.gtfs_realtime.expected import CANCELLED, expected_end, trips_not_over

LANGUAGE = "en"


def _english(text: str) -> rt.TranslatedString:
    return rt.TranslatedString(translation=[rt.TranslatedString.Translation(text=text, language=LANGUAGE)])


def _trip_words(trip: company_api.TripDetails) -> str:
    first, last = trip.stops[0], trip.stops[-1]
    return (f"The {first.depart_at:%H:%M} {trip.route_name} ({trip.route_code}) trip from {first.name} to "
            f"{last.name} on {first.depart_at:%a %d %b %Y}")


def _because(reason: str) -> str:
    return f" Reason: {reason}." if reason else ""


def _alert(company: company_api.CompanySettings, found: company_api.ServiceDayTrip, *, effect: rt.Alert.Effect,
           reason: str, header: str, description: str) -> rt.Alert:
    trip = found.trip
    day_starts = datetime.strptime(found.start_date, "%Y%m%d").replace(tzinfo=ZoneInfo(company.timezone))
    ends = posix(expected_end(trip))
    shown = rt.TimeRange(start=posix(day_starts), end=ends)
    return rt.Alert(
        active_period=[shown], communication_period=[shown],
        impact_period=[rt.TimeRange(start=posix(trip.departure_at), end=ends)],
        informed_entity=[rt.EntitySelector(agency_id=company.slug, route_id=str(trip.route_id),
                                           trip=trip_descriptor(found))],
        cause=rt.Alert.OTHER_CAUSE if reason else rt.Alert.UNKNOWN_CAUSE, effect=effect,
        header_text=_english(header), description_text=_english(f"{description}{_because(reason)}"),
    )


def alert_entities(*, company: company_api.CompanySettings, trips: Sequence[company_api.ServiceDayTrip],
                   now: datetime) -> list[rt.FeedEntity]:
    """One entity per cancelled or delayed trip not yet over, by departure."""
    entities = []
    for found in trips_not_over(trips, now=now):
        trip = found.trip
        departs = f"{trip.stops[0].depart_at:%H:%M} {trip.route_name}"
        if trip.status == CANCELLED:
            alert = _alert(company, found, effect=rt.Alert.NO_SERVICE, reason=found.cancel_reason,
                           header=f"Cancelled: the {departs}", description=f"{_trip_words(trip)} is cancelled.")
        elif trip.delay_minutes > 0:
            alert = _alert(company, found, effect=rt.Alert.SIGNIFICANT_DELAYS, reason=trip.delay_reason,
                           header=f"Delayed about {trip.delay_minutes} min: the {departs}",
                           description=f"{_trip_words(trip)} runs about {trip.delay_minutes} minutes late.")
        else:
            continue
        entities.append(rt.FeedEntity(id=str(trip.id), alert=alert))
    return entities
