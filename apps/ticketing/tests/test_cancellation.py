"""Cancelling confirmed bookings by the company's refund policy, and a cancelled trip cancelling its tickets."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from apps.company import api as company_api
from apps.ticketing.models import Booking, SeatHold, Ticket
from apps.ticketing.sales.services.cancellation import booking_cancel, refund_percent
from apps.ticketing.sales.services.confirmation import booking_confirm
from apps.ticketing.tests.holding import hold
from transport.errors import Conflict, NotFound, PermissionDenied
from transport.events.delivery import apply_once
from transport.events.models import OutboxMessage
from transport.principal import Principal

pytestmark = pytest.mark.django_db

CASHIER = Principal.system("ticketing-tests-cashier", {"ticketing.confirm_booking", "payment.collect_cash"})
DEPARTURE = datetime(2026, 3, 2, 8, 0, tzinfo=ZoneInfo("Africa/Nairobi"))


def _sold(world, *seats: str, who: str = "passenger") -> Booking:
    booking = hold(world, world.principal(who), *seats)
    return booking_confirm(booking_id=booking.id, principal=CASHIER)


@pytest.mark.parametrize(("before_departure", "percent"), [
    (timedelta(hours=48), 90), (timedelta(hours=24), 90), (timedelta(hours=23, minutes=59), 40),
    (timedelta(hours=2, minutes=1), 40), (timedelta(hours=2), 0), (timedelta(minutes=1), 0), (timedelta(0), 0),
    (-timedelta(hours=1), 0),
])
def test_the_refund_follows_the_companys_policy(world, before_departure, percent):
    # 90 % up to 24 h before departure, 40 % after, nothing in the last 2 h nor once the bus has left
    settings = replace(company_api.company_settings(company_id=world.company_id), late_refund_percent=40)

    assert refund_percent(settings=settings, departs_at=DEPARTURE, now=DEPARTURE - before_departure) == percent


def test_a_passenger_cancels_a_ticket_a_day_ahead_and_is_refunded_by_policy(world):
    booking = _sold(world, "1A", "1B")

    cancelled = booking_cancel(principal=world.principal("passenger"), booking_id=booking.id)

    assert cancelled.state == "cancelled"
    assert cancelled.refundable_minor == 252_000  # 90 % of 2 x 140,000
    assert set(Ticket.objects.values_list("state", flat=True)) == {"cancelled"}
    assert set(SeatHold.objects.values_list("state", flat=True)) == {"released"}
    events = OutboxMessage.objects.filter(event="ticketing.ticket_cancelled")
    ticket = Ticket.objects.get(seat_label="1A")
    assert sorted(e.payload["seat"] for e in events) == ["1A", "1B"]
    assert events.get(payload__seat="1A").payload == {
        "ticket_id": str(ticket.id), "number": ticket.number, "booking_id": str(booking.id),
        "trip_id": str(world.trip_id), "company_id": str(world.company_id), "seat": "1A",
        "refundable_minor": 126_000, "currency": "KES", "reason": "cancelled_by_customer",
    }
    assert hold(world, world.principal("other_passenger"), "1A").state == "held"


def test_a_cancelled_booking_is_not_cancelled_twice(world):
    booking = _sold(world, "2A")
    booking_cancel(principal=world.principal("passenger"), booking_id=booking.id)

    with pytest.raises(Conflict) as raised:
        booking_cancel(principal=world.principal("passenger"), booking_id=booking.id)

    assert raised.value.code == "booking_not_cancellable"
    assert OutboxMessage.objects.filter(event="ticketing.ticket_cancelled").count() == 1


def test_another_passenger_cannot_cancel(world):
    booking = _sold(world, "2A")

    with pytest.raises(NotFound):
        booking_cancel(principal=world.principal("other_passenger"), booking_id=booking.id)

    assert Booking.objects.get(pk=booking.id).state == "confirmed"


def test_an_agent_sees_but_may_not_cancel_a_passengers_booking(world):
    booking = _sold(world, "2A")

    with pytest.raises(PermissionDenied):
        booking_cancel(principal=world.principal("agent"), booking_id=booking.id)

    assert Booking.objects.get(pk=booking.id).state == "confirmed"


def test_the_company_admin_cancels_any_booking(world):
    booking = _sold(world, "2A")

    cancelled = booking_cancel(principal=world.principal("company_admin"), booking_id=booking.id)

    assert cancelled.state == "cancelled"


def test_a_cancelled_trip_cancels_its_bookings_with_full_refunds(world):
    sold = _sold(world, "3A")
    held = hold(world, world.principal("other_passenger"), "3B")
    world.cancel_trip()
    event = OutboxMessage.objects.get(event="company.trip_cancelled")

    applied = apply_once(event_id=str(event.id), event=event.event, payload=event.payload, headers={},
                         handler="apps.ticketing.receivers.cancel_bookings_of_cancelled_trip")

    assert applied is True
    assert Booking.objects.get(pk=sold.id).refundable_minor == 140_000
    assert Booking.objects.get(pk=held.id).state == "cancelled"
    assert Booking.objects.get(pk=held.id).refundable_minor == 0
    cancelled = OutboxMessage.objects.get(event="ticketing.ticket_cancelled")
    assert cancelled.payload["refundable_minor"] == 140_000
    assert cancelled.payload["reason"] == "trip_cancelled"
    assert SeatHold.objects.filter(state__in=["held", "confirmed"]).count() == 0
