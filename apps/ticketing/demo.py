"""Demo data of ticketing for `make run`: fares for every stretch of the demo companies' routes, priced by
distance and seat class, a 10 % welcome promo code, and the sales notes. Runs after company's seeder. The sales
of a company's operating history are in demo_history.py."""

from __future__ import annotations

import itertools
import uuid
from datetime import timedelta

from django.utils import timezone

from apps.auth import api as auth_api
from apps.company import api as company_api
from apps.ticketing.demo_history import seed_history as seed_history  # registers ticketing's part of the history
from apps.ticketing.models import Fare, PromoCode
from transport.demo import (
    DemoCompany,
    DemoOutput,
    demo_company_seeder,
    demo_device_credential,
    demo_password,
    demo_seeder,
)

# company's demo routes end in these towns
DEMO_TOWNS = ["Nairobi", "Nakuru", "Eldoret", "Kisumu", "Mombasa", "Kampala"]
# minor units (cents) per km, and the least a stretch costs, by seat class
PER_KM_MINOR = {"standard": 600, "vip": 900}
MINIMUM_MINOR = 30_000
PROMO_CODE = "KARIBU10"
PASSENGER = "passenger@demo.transport.dev"


@demo_company_seeder(order=30)
def seed(company: DemoCompany, out: DemoOutput) -> None:
    day = timezone.localdate() + timedelta(days=1)
    routes = _route_trips(company.id, day)
    if not routes:
        return
    currency = company_api.company_settings(company_id=company.id).currency
    for trip_id in routes.values():
        _fares_for(company_api.get_trip(trip_id=trip_id), currency=currency)
    _promo(company.id)


@demo_seeder(order=30)
def notes(out: DemoOutput) -> None:
    out.add_note(f"Fares for every stretch of the demo routes; promo code {PROMO_CODE} takes 10 % off.")


def _route_trips(company_id: uuid.UUID, day) -> dict[uuid.UUID, uuid.UUID]:
    """One trip per route of the company (each route is found from its first town to its last)."""
    found: dict[uuid.UUID, uuid.UUID] = {}
    for board, alight in itertools.permutations(DEMO_TOWNS, 2):
        for offer in company_api.trips_between(on=day, from_town=board, to_town=alight, company_id=company_id):
            found.setdefault(offer.route_id, offer.trip_id)
    return found


def _fares_for(trip: company_api.TripDetails, *, currency: str) -> None:
    """Every stretch of the trip's route, in each seat class of its bus, written in one statement."""
    classes = {seat.seat_class for seat in company_api.layout_seats(layout_version_id=trip.layout_version_id)}
    fares = []
    for board, alight in itertools.combinations(trip.stops, 2):
        km = alight.distance_km - board.distance_km
        for seat_class in sorted(classes):
            per_km = PER_KM_MINOR.get(seat_class, PER_KM_MINOR["standard"])
            # whole shillings: a fare ends in 00 cents
            amount = max(MINIMUM_MINOR, int(km * per_km) // 100 * 100)
            fares.append(Fare(company_id=trip.company_id, route_id=trip.route_id, from_stop_id=board.stop_id,
                              to_stop_id=alight.stop_id, seat_class=seat_class, amount_minor=amount,
                              currency=currency))
    Fare.objects.bulk_create(fares, update_conflicts=True,
                             unique_fields=["route_id", "from_stop_id", "to_stop_id", "seat_class"],
                             update_fields=["company_id", "amount_minor", "currency"])


def _promo(company_id: uuid.UUID) -> None:
    now = timezone.now()
    PromoCode.objects.get_or_create(company_id=company_id, code=PROMO_CODE, defaults={
        "kind": PromoCode.Kind.PERCENT, "value": 10, "valid_from": now, "valid_until": now + timedelta(days=365),
        "max_uses_per_user": 1})


WALKTHROUGH_COMPANY = "alpha"


@demo_seeder(order=40)
def walkthrough(out: DemoOutput) -> None:
    """Commands to sell a seat online and at the POS, open its QR and board it."""
    trip = walkthrough_trip()
    if trip is not None:
        out.add_walkthrough(_walkthrough_lines(trip))


def walkthrough_trip() -> company_api.TripDetails | None:
    """The demo driver's next trip still on sale, so that the demo driver's phone may board it."""
    driver = auth_api.principal_from_device_credential(
        credential=demo_device_credential(WALKTHROUGH_COMPANY, "driver"))
    now = timezone.now()
    assert driver.user_id is not None  # a device acts for the person it is registered to
    on_sale = [trip for trip in company_api.driver_trips(principal=driver, driver_id=driver.user_id)
               if trip.status == "scheduled" and trip.departure_at - now > timedelta(hours=2)]
    return on_sale[0] if on_sale else None


def _walkthrough_lines(trip: company_api.TripDetails) -> list[str]:
    board, alight = trip.stops[0], trip.stops[1]
    stretch = f'"trip_id": "{trip.id}", "from_stop_id": "{board.stop_id}", "to_stop_id": "{alight.stop_id}"'

    def sale(seat: str) -> str:
        rider = f'{{"name": "Amina Otieno", "phone": "+254700000001", "type": "adult", "seat": "{seat}"}}'
        return f"-d '{{{stretch}, \"passengers\": [{rider}]}}'"

    post = "-H 'Content-Type: application/json'"
    fresh_key = "-H \"Idempotency-Key: $(python3 -c 'import uuid; print(uuid.uuid4())')\""
    agent = f"agent@{WALKTHROUGH_COMPANY}.demo.transport.dev"
    sign_in = ("  token() { curl -s $BASE/api/v1/auth/token -H 'Content-Type: application/json' "
               f"-d \"{{\\\"identifier\\\": \\\"$1\\\", \\\"password\\\": \\\"{demo_password()}\\\"}}\" "
               "| python3 -c 'import json,sys; print(json.load(sys.stdin)[\"access\"])'; }")
    scan = f"-d '{{\"trip_id\": \"{trip.id}\", \"code\": \"CODE\"}}'"
    return [
        f"Try it on {trip.route_code}, leaving {board.town} {board.depart_at:%Y-%m-%d %H:%M} "
        "(paste into a shell; replace BOOKING_ID, TICKET_ID and CODE with what the answers give):",
        "  BASE={base}",
        f"  POS='Authorization: Device {demo_device_credential(WALKTHROUGH_COMPANY, 'pos')}'",
        f"  PHONE='Authorization: Device {demo_device_credential(WALKTHROUGH_COMPANY, 'driver')}'",
        sign_in,
        "  # 1. search, and the seat map of the stretch",
        f"  curl \"$BASE/api/v1/trips?from={board.town}&to={alight.town}&date={board.depart_at:%Y-%m-%d}\"",
        f"  curl \"$BASE/api/v1/trips/{trip.id}/seats?from={board.stop_id}&to={alight.stop_id}\"",
        "  # 2. a passenger holds seat 3A and pays with M-Pesa: the local emulator approves on 254708374149 after a",
        "  #    few seconds and calls back; the booking is then confirmed, with its ticket (ask for it again)",
        f"  curl $BASE/api/v1/bookings {post} {fresh_key} -H \"Authorization: Bearer $(token {PASSENGER})\" "
        f"{sale('3A')}",
        f"  curl $BASE/api/v1/bookings/BOOKING_ID/payments {post} {fresh_key} "
        f"-H \"Authorization: Bearer $(token {PASSENGER})\" -d '{{\"provider\": \"mpesa\", \"phone\": "
        f"\"+254708374149\"}}'",
        f"  curl $BASE/api/v1/bookings/BOOKING_ID -H \"Authorization: Bearer $(token {PASSENGER})\"",
        "  #    or: the passenger holds seat 3B and the counter agent confirms it, paid in cash",
        f"  curl $BASE/api/v1/bookings {post} {fresh_key} -H \"Authorization: Bearer $(token {PASSENGER})\" "
        f"{sale('3B')}",
        f"  curl -X POST $BASE/api/v1/bookings/BOOKING_ID/confirm {post} -H \"Authorization: Bearer $(token {agent})\"",
        "  # 3. a cash sale on the POS terminal, the ticket's QR image, and boarding with the driver's phone",
        f"  curl $BASE/api/v1/pos/sales {post} {fresh_key} -H \"$POS\" {sale('4A')}",
        "  curl -o ticket.png -H \"$POS\" $BASE/api/v1/tickets/TICKET_ID/qr.png",
        f"  curl $BASE/api/v1/boarding/scan {post} -H \"$PHONE\" {scan}",
        "  Every endpoint, with its bodies and answers: {base}/api/docs/",
    ]
