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


NOTIFIER = Principal.system("ticketing-tests-notifier", {api.VIEW_BOOKINGS})


def test_ticket_notices_name_each_ticket_of_a_booking_a_trip_or_by_id(world):
    booking = api.booking_confirm(booking_id=hold(world, world.principal("passenger"), "1A", "1B").id,
                                  principal=CASHIER, payment_ref="CASH-1")

    of_booking = api.ticket_notices(principal=NOTIFIER, booking_id=booking.id)
    of_trip = api.ticket_notices(principal=NOTIFIER, trip_id=booking.trip_id)
    by_id = api.ticket_notices(principal=NOTIFIER, ticket_ids=[of_booking[1].ticket_id])

    assert [n.seat for n in of_booking] == ["1A", "1B"]
    assert of_trip == of_booking
    assert by_id == [of_booking[1]]
    first = of_booking[0]
    assert (first.state, first.booking_state, first.company_id, first.currency, first.price_minor) == (
        "valid", "confirmed", world.company_id, "KES", 140_000)
    assert first.code and first.holder_user_id == world.users["passenger"].id
    json.dumps([str(value) for value in first.__dict__.values()])  # plain values only


def test_ticket_notices_leave_out_what_the_reader_may_not_read(world, other_world):
    booking = api.booking_confirm(booking_id=hold(world, world.principal("passenger"), "1A").id,
                                  principal=CASHIER, payment_ref="CASH-2")

    assert api.ticket_notices(principal=other_world.principal("company_admin"), booking_id=booking.id) == []
    assert api.ticket_notices(principal=world.principal("other_passenger"), booking_id=booking.id) == []
    assert len(api.ticket_notices(principal=world.principal("dispatcher"), booking_id=booking.id)) == 1


def test_one_ticket_notice_is_for_its_holder_and_the_companys_staff_only(world, other_world):
    booking = api.booking_confirm(booking_id=hold(world, world.principal("passenger"), "1A").id,
                                  principal=CASHIER, payment_ref="CASH-3")
    ticket_id = api.ticket_notices(principal=NOTIFIER, booking_id=booking.id)[0].ticket_id

    assert api.ticket_notice(principal=world.principal("passenger"), ticket_id=ticket_id).seat == "1A"
    assert api.ticket_notice(principal=world.principal("dispatcher"), ticket_id=ticket_id).seat == "1A"
    for stranger in (world.principal("other_passenger"), other_world.principal("company_admin")):
        with pytest.raises(NotFound):
            api.ticket_notice(principal=stranger, ticket_id=ticket_id)
