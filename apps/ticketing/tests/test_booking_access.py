"""Who may read, confirm, cancel and extend a booking over HTTP: the permission matrix and tenant isolation."""

from __future__ import annotations

import pytest

from apps.ticketing.models import Booking, Ticket
from apps.ticketing.tests.holding import hold

pytestmark = pytest.mark.django_db

BOOKINGS = "/api/v1/bookings"
# who -> expected status for: read, confirm, cancel, extend (a passenger's held booking in company A)
MATRIX = {
    None: (401, 401, 401, 401),
    "passenger": (200, 403, 200, 200),  # the holder
    "other_passenger": (404, 404, 404, 404),
    "company_admin": (200, 200, 200, 200),
    "agent": (200, 200, 403, 200),
    "dispatcher": (200, 403, 403, 403),
    "driver": (404, 404, 404, 404),
}


@pytest.mark.parametrize("who", list(MATRIX), ids=[str(who) for who in MATRIX])
def test_the_permission_matrix(world, who):
    expected_read, expected_confirm, expected_cancel, expected_extend = MATRIX[who]
    read_booking = hold(world, world.principal("passenger"), "1A")
    confirm_booking = hold(world, world.principal("passenger"), "1B")
    cancel_booking = hold(world, world.principal("passenger"), "1C")
    client = world.client(who)

    statuses = (
        client.get(f"{BOOKINGS}/{read_booking.id}").status_code,
        client.post(f"{BOOKINGS}/{confirm_booking.id}/confirm", {}, format="json").status_code,
        client.post(f"{BOOKINGS}/{cancel_booking.id}/cancel").status_code,
        client.post(f"{BOOKINGS}/{read_booking.id}/extend").status_code,
    )

    assert statuses == (expected_read, expected_confirm, expected_cancel, expected_extend)
    assert Ticket.objects.count() == (1 if expected_confirm == 200 else 0)
    assert Booking.objects.get(pk=cancel_booking.id).state == ("cancelled" if expected_cancel == 200 else "held")
    assert Booking.objects.get(pk=read_booking.id).extensions == (1 if expected_extend == 200 else 0)


@pytest.mark.parametrize("who", ["company_admin", "agent", "dispatcher"])
def test_another_companys_staff_see_nothing(world, other_world, who):
    booking = hold(world, world.principal("passenger"), "2A")
    client = other_world.client(who)

    statuses = (
        client.get(f"{BOOKINGS}/{booking.id}").status_code,
        client.post(f"{BOOKINGS}/{booking.id}/confirm", {}, format="json").status_code,
        client.post(f"{BOOKINGS}/{booking.id}/cancel").status_code,
        client.post(f"{BOOKINGS}/{booking.id}/extend").status_code,
    )

    assert statuses == (404, 404, 404, 404)
    assert Booking.objects.get(pk=booking.id).state == "held"
    assert Booking.objects.get(pk=booking.id).extensions == 0


def test_an_agent_confirms_a_counter_payment_over_http(world):
    booking = hold(world, world.principal("passenger"), "3A", board="Nakuru")

    response = world.client("agent").post(f"{BOOKINGS}/{booking.id}/confirm", {"payment_ref": "CASH-77"},
                                          format="json")

    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "confirmed"
    assert [(t["seat"], t["state"]) for t in body["tickets"]] == [("3A", "valid")]
    assert Booking.objects.get(pk=booking.id).payment_ref == "CASH-77"


def test_an_unknown_field_in_a_confirmation_is_refused(world):
    booking = hold(world, world.principal("passenger"), "3A")

    response = world.client("agent").post(f"{BOOKINGS}/{booking.id}/confirm", {"amount": 5}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == {"amount": ["Unknown field."]}
    assert Ticket.objects.count() == 0


def test_an_unknown_booking_is_a_404(world):
    response = world.client("company_admin").get(f"{BOOKINGS}/00000000-0000-0000-0000-000000000001")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
