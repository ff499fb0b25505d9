"""ticketing.api, the published interface: frozen views of bookings, for who may see them."""

from __future__ import annotations

import json
import uuid

import pytest

from apps.ticketing import api
from apps.ticketing.tests.holding import hold
from transport.errors import NotFound, PermissionDenied
from transport.events.models import OutboxMessage
from transport.principal import Principal, PrincipalKind

pytestmark = pytest.mark.django_db

CASHIER = Principal.system("ticketing-tests-cashier", {"ticketing.confirm_booking", "payment.collect_cash"})


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


def test_a_system_principal_that_may_confirm_and_collect_cash_confirms(world):
    booking = hold(world, world.principal("passenger"), "1A")

    confirmed = api.booking_confirm(booking_id=booking.id, principal=CASHIER, payment_ref="CASH-42")

    assert confirmed.state == "confirmed"
    assert len(confirmed.ticket_numbers) == 1


def test_staff_who_may_confirm_but_not_collect_cash_confirm_nothing_for_cash(world):
    booking = hold(world, world.principal("passenger"), "1A")
    confirmer = Principal(kind=PrincipalKind.USER, id=uuid.uuid4(),
                          company_permissions={world.company_id: frozenset({"ticketing.confirm_booking"})})

    with pytest.raises(PermissionDenied) as raised:
        api.booking_confirm(booking_id=booking.id, principal=confirmer, payment_ref="CASH-42")

    assert raised.value.detail == "Missing permission payment.collect_cash."

    assert api.booking_get(booking_id=booking.id, principal=world.principal("passenger")).state == "held"
    assert not OutboxMessage.objects.filter(event="ticketing.ticket_confirmed").exists()


def test_every_event_payload_round_trips_through_json(world):
    booking = hold(world, world.principal("passenger"), "1A")
    api.booking_confirm(booking_id=booking.id, principal=CASHIER)

    payloads = list(OutboxMessage.objects.filter(event__startswith="ticketing.").values_list("payload", flat=True))

    assert payloads
    assert all(json.loads(json.dumps(payload)) == payload for payload in payloads)
