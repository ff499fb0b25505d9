"""ticketing.api, the published interface: frozen views of bookings, for who may see them."""

from __future__ import annotations

import json

import pytest

from apps.ticketing import api
from apps.ticketing.tests.holding import hold
from transport.errors import NotFound
from transport.events.models import OutboxMessage
from transport.principal import Principal

pytestmark = pytest.mark.django_db

PAYMENTS = Principal.system("payment-events", {"ticketing.confirm_booking"})


def test_the_holder_and_the_companys_staff_get_the_booking(world):
    booking = hold(world, world.principal("passenger"), "1A", "1B")

    mine = api.booking_get(booking_id=booking.id, principal=world.principal("passenger"))
    staff = api.booking_get(booking_id=booking.id, principal=world.principal("dispatcher"))

    assert mine == staff
    assert (mine.state, mine.seats, mine.total_minor, mine.currency, mine.ticket_numbers) == (
        "held", ("1A", "1B"), 280_000, "KES", ())


def test_anyone_else_gets_not_found(world, other_world):
    booking = hold(world, world.principal("passenger"), "1A")

    with pytest.raises(NotFound):
        api.booking_get(booking_id=booking.id, principal=world.principal("other_passenger"))
    with pytest.raises(NotFound):
        api.booking_get(booking_id=booking.id, principal=other_world.principal("company_admin"))


def test_a_system_principal_with_only_the_confirm_permission_confirms(world):
    booking = hold(world, world.principal("passenger"), "1A")

    confirmed = api.booking_confirm(booking_id=booking.id, principal=PAYMENTS, payment_ref="MPESA-42")

    assert confirmed.state == "confirmed"
    assert len(confirmed.ticket_numbers) == 1


def test_every_event_payload_round_trips_through_json(world):
    booking = hold(world, world.principal("passenger"), "1A")
    api.booking_confirm(booking_id=booking.id, principal=PAYMENTS)

    payloads = list(OutboxMessage.objects.filter(event__startswith="ticketing.").values_list("payload", flat=True))

    assert payloads
    assert all(json.loads(json.dumps(payload)) == payload for payload in payloads)
