"""Ticket codes: signed when a ticket is issued, backfilled for tickets issued before, shown to the ticket's
owner and the company's staff as text and as a QR image."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations import RunPython
from django.db.migrations.loader import MigrationLoader

from apps.company import api as company_api
from apps.qr import api as qr_api
from apps.ticketing.models import Booking, Ticket
from apps.ticketing.sales.services.cancellation import booking_cancel
from apps.ticketing.tickets import services as ticket_codes
from tests.worlds.boarding import build_boarding_cast, ticket

pytestmark = pytest.mark.django_db

BACKFILL = ("ticketing", "0003_ticket_codes_backfill")


def _arrival(trip_id, sequence):
    return next(stop.arrive_at for stop in company_api.get_trip(trip_id=trip_id).stops if stop.sequence == sequence)


def test_a_confirmed_ticket_carries_a_code_that_verifies_and_names_it(world):
    issued = ticket(world, "3A", board="Nairobi", alight="Nakuru")

    verdict = qr_api.ticket_code_verify(code=issued.code)

    assert verdict.ok
    claims = verdict.claims
    assert (claims.company_id, claims.ticket_id, claims.trip_id, claims.seat_label) == (
        world.company_id, issued.id, world.trip_id, "3A")
    assert (claims.from_sequence, claims.to_sequence) == (issued.booking.from_sequence, issued.booking.to_sequence)
    # good until the bus reaches Nakuru plus the grace (6 hours by default), to the second
    assert claims.valid_until == (_arrival(world.trip_id, issued.booking.to_sequence)
                                  + timedelta(hours=6)).replace(microsecond=0)


def test_the_grace_after_arrival_comes_from_settings(world, settings):
    settings.TICKETING_CODE_GRACE_HOURS = 1

    issued = ticket(world, "3B")

    claims = qr_api.ticket_code_read(code=issued.code)
    assert claims.valid_until == _arrival(world.trip_id, issued.booking.to_sequence) + timedelta(hours=1)


def test_the_booking_answer_carries_each_tickets_code(world):
    issued = ticket(world, "3C")

    answer = world.client("passenger").get(f"/api/v1/bookings/{issued.booking_id}")

    assert answer.status_code == 200
    assert [(t["number"], t["code"]) for t in answer.json()["tickets"]] == [(issued.number, issued.code)]


def test_the_ticket_endpoint_shows_code_stretch_passenger_and_boarding(world):
    cast = build_boarding_cast(world)
    issued = ticket(world, "4A", board="Nakuru", alight="Kisumu", name="Wanjiru")
    before = world.client("passenger").get(f"/api/v1/tickets/{issued.id}").json()
    cast.driver.client.post("/api/v1/boarding/scan", {"trip_id": str(world.trip_id), "code": issued.code},
                            format="json")

    after = world.client("passenger").get(f"/api/v1/tickets/{issued.id}").json()

    assert before == {
        "id": str(issued.id), "number": issued.number, "booking_id": str(issued.booking_id),
        "trip_id": str(world.trip_id), "seat": "4A", "passenger_name": "Wanjiru", "state": "valid",
        "code": issued.code, "issued_at": before["issued_at"],
        "from_stop": {"stop_id": str(world.stops["Nakuru"]), "sequence": issued.booking.from_sequence,
                      "name": "Nakuru Stage"},
        "to_stop": {"stop_id": str(world.stops["Kisumu"]), "sequence": issued.booking.to_sequence,
                    "name": "Kisumu Stage"},
        "boarding": None,
    }
    assert after["boarding"]["device_id"] == str(cast.driver.id)
    assert after["boarding"]["source"] == "online"


def test_the_qr_images_are_a_png_and_an_svg_of_the_code(world):
    issued = ticket(world, "4B")
    client = world.client("passenger")

    png = client.get(f"/api/v1/tickets/{issued.id}/qr.png", HTTP_ACCEPT="image/png")
    svg = client.get(f"/api/v1/tickets/{issued.id}/qr.svg", HTTP_ACCEPT="image/svg+xml")

    assert (png.status_code, png["Content-Type"]) == (200, "image/png")
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert png.content == qr_api.ticket_code_png(code=issued.code)
    assert (svg.status_code, svg["Content-Type"]) == (200, "image/svg+xml")
    assert b"<svg" in svg.content
    assert svg.content == qr_api.ticket_code_svg(code=issued.code)


def test_a_cancelled_ticket_shows_no_code_and_draws_no_image(world):
    issued = ticket(world, "4C")
    booking_cancel(principal=world.principal("passenger"), booking_id=issued.booking_id)

    detail = world.client("passenger").get(f"/api/v1/tickets/{issued.id}")
    image = world.client("passenger").get(f"/api/v1/tickets/{issued.id}/qr.png", HTTP_ACCEPT="image/png")

    assert (detail.json()["state"], detail.json()["code"]) == ("cancelled", None)
    assert (image.status_code, image["Content-Type"], image.json()["code"]) == (
        409, "application/problem+json", "ticket_cancelled")


# who -> status of the ticket, its PNG and its SVG (a ticket the world's passenger holds)
TICKET_MATRIX = {
    None: 401,
    "passenger": 200,  # the booking's holder
    "other_passenger": 404,
    "company_admin": 200,
    "dispatcher": 200,
    "agent": 200,
    "driver": 404,  # a driver boards passengers; the ticket itself is not theirs to read
    "other_company_admin": 404,
}


@pytest.mark.parametrize("who", list(TICKET_MATRIX), ids=[str(who) for who in TICKET_MATRIX])
def test_who_may_read_a_ticket_and_its_images(world, other_world, who):
    issued = ticket(world, "5A")
    client = other_world.client("company_admin") if who == "other_company_admin" else world.client(who)

    statuses = {client.get(f"/api/v1/tickets/{issued.id}{suffix}").status_code for suffix in ("", "/qr.png", "/qr.svg")}

    assert statuses == {TICKET_MATRIX[who]}


def test_devices_read_tickets_as_their_role_does(world):
    cast = build_boarding_cast(world)
    issued = ticket(world, "5B")

    by_agent = cast.agent.client.get(f"/api/v1/tickets/{issued.id}/qr.svg")
    by_driver = cast.driver.client.get(f"/api/v1/tickets/{issued.id}")

    assert by_agent.status_code == 200
    assert (by_driver.status_code, by_driver["Content-Type"]) == (404, "application/problem+json")


def test_an_unknown_ticket_is_a_problem_404(world):
    answer = world.client("company_admin").get("/api/v1/tickets/00000000-0000-4000-8000-000000000000/qr.png")

    assert (answer.status_code, answer["Content-Type"], answer.json()["code"]) == (
        404, "application/problem+json", "not_found")


def _run_backfill() -> None:
    """The backfill migration's function, on the models as they were when it was written."""
    loader = MigrationLoader(connection)
    migration = loader.get_migration(*BACKFILL)
    state = loader.project_state(BACKFILL, at_end=False)
    backfill = migration.operations[0]
    assert isinstance(backfill, RunPython)
    backfill.code(state.apps, None)  # type: ignore[arg-type]  # the backfill never touches the schema editor


def test_the_backfill_signs_valid_tickets_issued_without_a_code(world):
    old = ticket(world, "6A", board="Nairobi", alight="Nakuru")
    cancelled = ticket(world, "6B")
    booking_cancel(principal=world.principal("passenger"), booking_id=cancelled.booking_id)
    current = ticket(world, "6C")
    Ticket.objects.filter(pk__in=[old.pk, cancelled.pk]).update(code="")

    _run_backfill()

    backfilled = Ticket.objects.get(pk=old.pk)
    verdict = qr_api.ticket_code_verify(code=backfilled.code)
    assert verdict.ok
    assert (verdict.claims.ticket_id, verdict.claims.seat_label, verdict.claims.to_sequence) == (
        old.id, "6A", old.booking.to_sequence)
    assert verdict.claims.valid_until == (_arrival(world.trip_id, old.booking.to_sequence)
                                          + timedelta(hours=6)).replace(microsecond=0)
    assert Ticket.objects.get(pk=cancelled.pk).code == ""  # a cancelled ticket boards no one: no code
    assert Ticket.objects.get(pk=current.pk).code == current.code  # a signed ticket keeps its code


def test_the_backfill_signs_a_ticket_whose_trip_is_gone(world):
    old = ticket(world, "6D")
    Ticket.objects.filter(pk=old.pk).update(code="", trip_id="00000000-0000-4000-8000-000000000001")
    Booking.objects.filter(pk=old.booking_id).update(trip_id="00000000-0000-4000-8000-000000000001")

    _run_backfill()

    claims = qr_api.ticket_code_read(code=Ticket.objects.get(pk=old.pk).code)
    assert claims.valid_until == (old.issued_at + timedelta(hours=6)).replace(microsecond=0)


def test_a_renewed_code_names_the_seat_the_ticket_has_now(world):
    issued = ticket(world, "7A")
    Ticket.objects.filter(pk=issued.pk).update(seat_label="7B")
    moved = Ticket.objects.select_related("booking").get(pk=issued.pk)

    code = ticket_codes.ticket_code_renew(ticket=moved)

    assert Ticket.objects.get(pk=issued.pk).code == code != issued.code
    claims = qr_api.ticket_code_verify(code=code).claims
    assert (claims.ticket_id, claims.seat_label) == (issued.id, "7B")
