"""What each page of an e-ticket shows, as text in the ticket's language: read from the ticket notices
(ticketing), the trips' stops and times and the companies' names and contacts (company)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from apps.company import api as company_api
from apps.notification.eticket.wording import Wording
from apps.ticketing import api as ticketing_api

CANCELLED = "cancelled"


@dataclass(frozen=True)
class TicketPage:
    company_name: str
    company_contact: str  # phone and email, as the company gave them
    number: str
    passenger_name: str
    seat: str  # label and class
    route: str
    from_stop: str
    departs: str  # at the boarding stop, on its clocks
    to_stop: str
    arrives: str  # at the alighting stop, on its clocks
    price: str
    issued: str
    code: str  # the signed QR text; "" for a cancelled ticket, which shows no QR
    cancelled: bool


def ticket_pages(notices: Sequence[ticketing_api.TicketNotice], wording: Wording) -> list[TicketPage]:
    """One page per ticket, in the order given. One query for all the trips, one per company."""
    trips = {trip.id: trip for trip in company_api.get_trips(trip_ids={notice.trip_id for notice in notices})}
    companies: dict[UUID, company_api.CompanySettings] = {}
    pages = []
    for notice in notices:
        if notice.company_id not in companies:
            companies[notice.company_id] = company_api.company_settings(company_id=notice.company_id)
        pages.append(_page(notice, trips[notice.trip_id], companies[notice.company_id], wording))
    return pages


def _page(notice: ticketing_api.TicketNotice, trip: company_api.TripDetails,
          company: company_api.CompanySettings, wording: Wording) -> TicketPage:
    stops = {stop.sequence: stop for stop in trip.stops}
    boarding, alighting = stops[notice.from_sequence], stops[notice.to_sequence]
    cancelled = notice.state == CANCELLED
    return TicketPage(
        company_name=company.name,
        company_contact=" · ".join(part for part in (company.contact_phone, company.contact_email) if part),
        number=notice.number,
        passenger_name=notice.passenger_name,
        seat=f"{notice.seat} · {notice.seat_class.replace('_', ' ').capitalize()}",
        route=f"{trip.route_name} ({trip.route_code})" if trip.route_code else trip.route_name,
        from_stop=boarding.name,
        departs=wording.moment(boarding.depart_at, boarding.timezone),
        to_stop=alighting.name,
        arrives=wording.moment(alighting.arrive_at, alighting.timezone),
        price=wording.money(notice.price_minor, notice.currency),
        issued=wording.moment(notice.issued_at, boarding.timezone),
        code="" if cancelled else notice.code,
        cancelled=cancelled,
    )
