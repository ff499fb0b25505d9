"""The demo of `make run`: every stretch of the demo routes has a fare in each seat class, seeding twice
adds nothing, and a demo trip can be quoted and held straight away."""

from __future__ import annotations

import uuid
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from rest_framework.test import APIClient

from apps.company import api as company_api
from apps.ticketing.demo import PASSENGER, PROMO_CODE, WALKTHROUGH_COMPANY, walkthrough_trip
from apps.ticketing.fares.quotes import trip_quote
from apps.ticketing.models import Boarding, Booking, Fare, PromoCode, Ticket
from transport.demo import DEMO_COMPANIES, DEMO_HISTORY_DAYS, demo_device_credential, demo_password, seed_all
from transport.models import DemoHistoryRecord


def test_the_demo_prices_every_stretch_and_seeds_once(db):
    seed_all()
    counts = (Fare.objects.count(), PromoCode.objects.count())
    seed_all()

    assert (Fare.objects.count(), PromoCode.objects.count()) == counts
    assert PromoCode.objects.filter(code=PROMO_CODE).count() == len(DEMO_COMPANIES)
    [offer] = company_api.trips_between(on=timezone.localdate() + timedelta(days=2), from_town="Nairobi",
                                        to_town="Kisumu", company_id=DEMO_COMPANIES["alpha"])
    quote = trip_quote(trip_id=offer.trip_id, from_stop_id=offer.board.stop_id, to_stop_id=offer.alight.stop_id,
                       passengers=[("1A", "adult")], promo_code=PROMO_CODE)
    assert quote.lines[0].fare_minor == 210_000  # 350 km at 6 KES
    assert quote.total_minor == 189_000


def test_the_demo_companies_have_their_history_up_to_their_today_once(db):
    seed_all()
    counts = (Booking.objects.count(), Ticket.objects.count(), Boarding.objects.count())
    seed_all()

    assert (Booking.objects.count(), Ticket.objects.count(), Boarding.objects.count()) == counts
    for company_id in DEMO_COMPANIES.values():
        zone = ZoneInfo(company_api.company_settings(company_id=company_id).timezone)
        today = timezone.localdate(timezone=zone)
        record = DemoHistoryRecord.objects.get(company_id=company_id)
        assert (record.anchor, record.days) == (today, DEMO_HISTORY_DAYS)
        days = {trip.service_date for trip in company_api.trips_of_days(
            company_id=company_id, first_day=today - timedelta(days=DEMO_HISTORY_DAYS), last_day=today)
            if Booking.objects.filter(trip_id=trip.id, state=Booking.State.CONFIRMED).exists()}
        assert days == {today - timedelta(days=n) for n in range(1, DEMO_HISTORY_DAYS + 1)}


def test_the_printed_walkthrough_works_step_by_step(db):
    """The commands `make run` prints, run through the API: search, seat map, hold, counter confirmation,
    a POS cash sale, its QR image and its boarding by the driver's phone."""
    out = seed_all()
    trip = walkthrough_trip()
    board, alight = trip.stops[0], trip.stops[1]
    assert any(str(trip.id) in line for line in out.walkthrough)
    stretch = {"trip_id": str(trip.id), "from_stop_id": str(board.stop_id), "to_stop_id": str(alight.stop_id)}
    rider = {"name": "Amina Otieno", "phone": "+254700000001", "type": "adult"}
    anyone, pos, phone = APIClient(), _device("pos"), _device("driver")

    found = anyone.get("/api/v1/trips", {"from": board.town, "to": alight.town,
                                         "date": board.depart_at.date().isoformat()})
    seats = anyone.get(f"/api/v1/trips/{trip.id}/seats", {"from": str(board.stop_id), "to": str(alight.stop_id)})
    held = _signed_in(PASSENGER).post("/api/v1/bookings", {**stretch, "passengers": [{**rider, "seat": "3A"}]},
                                      format="json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
    confirmed = _signed_in(f"agent@{WALKTHROUGH_COMPANY}.demo.transport.dev").post(
        f"/api/v1/bookings/{held.json()['id']}/confirm", format="json")
    sold = pos.post("/api/v1/pos/sales", {**stretch, "passengers": [{**rider, "seat": "4A"}]}, format="json",
                    HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
    ticket = sold.json()["tickets"][0]
    image = pos.get(f"/api/v1/tickets/{ticket['id']}/qr.png")
    scanned = phone.post("/api/v1/boarding/scan", {"trip_id": str(trip.id), "code": ticket["code"]}, format="json")

    assert str(trip.id) in {offer["trip_id"] for offer in found.json()}
    assert {seat["label"]: seat["state"] for seat in seats.json()["seats"]}["3A"] == "free"
    assert (held.status_code, confirmed.status_code, confirmed.json()["state"]) == (201, 200, "confirmed")
    assert (sold.status_code, sold.json()["state"]) == (201, "confirmed")
    assert (image.status_code, image["Content-Type"], image.content[:4]) == (200, "image/png", b"\x89PNG")
    assert (scanned.status_code, scanned.json()["boarded"]) == (200, True)


def _device(kind: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Device {demo_device_credential(WALKTHROUGH_COMPANY, kind)}")
    return client


def _signed_in(identifier: str) -> APIClient:
    client = APIClient()
    answer = client.post("/api/v1/auth/token", {"identifier": identifier, "password": demo_password()}, format="json")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {answer.json()['access']}")
    return client
