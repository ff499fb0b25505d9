"""GET /api/v1/tickets/{id}/ticket.pdf: the e-ticket for the ticket's holder and the company's staff, in the
language asked for, else the one the holder chose, else the company's. Anyone else finds no such ticket."""

from __future__ import annotations

import uuid

import pytest

from apps.notification.models import ContactPreference
from apps.notification.tests.eticket_reading import (
    cancel,
    confirmed_booking,
    images_on_page,
    pages_words,
    qr_codes_on_page,
)
from apps.ticketing import api as ticketing_api
from tests.worlds.ticketing import SalesWorld, build_sales_world

PROBLEM = "application/problem+json"


@pytest.fixture
def world(db) -> SalesWorld:
    return build_sales_world()


@pytest.fixture
def sold(world) -> ticketing_api.TicketNotice:
    booking_id = confirmed_booking(world, {"6A": "Zoë Ñjoroge-Ōtieno"})
    return ticketing_api.ticket_notices(principal=world.admin, booking_id=booking_id)[0]


def pdf_url(ticket_id) -> str:
    return f"/api/v1/tickets/{ticket_id}/ticket.pdf"


@pytest.mark.parametrize("who", ["passenger", "company_admin", "agent", "dispatcher"])
def test_the_holder_and_the_companys_staff_download_the_ticket(world, sold, who):
    response = world.client(who).get(pdf_url(sold.ticket_id), HTTP_ACCEPT="application/pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="ticket-{sold.number}.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    words = pages_words(response.content)
    assert len(words) == 1
    assert f"Ticket {sold.number}" in words[0]
    assert "Zoë Ñjoroge-Ōtieno" in words[0]
    assert qr_codes_on_page(response.content, 0) == [sold.code]


@pytest.mark.parametrize("who", ["other_passenger", "driver"])
def test_another_passenger_or_staff_without_the_right_find_no_such_ticket(world, sold, who):
    response = world.client(who).get(pdf_url(sold.ticket_id))

    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "not_found"


def test_another_companys_staff_find_no_such_ticket(world, sold):
    other = build_sales_world()

    response = other.client("company_admin").get(pdf_url(sold.ticket_id))

    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM


def test_an_anonymous_caller_must_sign_in(world, sold):
    response = world.client(None).get(pdf_url(sold.ticket_id))

    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "not_authenticated"


def test_an_unknown_ticket_is_a_404_problem(world, sold):
    response = world.client("company_admin").get(pdf_url(uuid.uuid4()))

    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM


@pytest.mark.parametrize(("query", "expected"), [
    ({"language": "sw"}, "Tiketi"),
    ({"language": "fr"}, "Billet"),
    ({}, "Ticket"),  # nobody chose: the company's language, English by default
])
def test_the_labels_are_in_the_language_asked_for(world, sold, query, expected):
    response = world.client("passenger").get(pdf_url(sold.ticket_id), query)

    assert response.status_code == 200
    assert f"{expected} {sold.number}" in pages_words(response.content)[0]


def test_without_a_language_asked_for_the_holders_choice_wins_over_the_companys(world, sold):
    world.change_company(language="sw")
    ContactPreference.objects.create(user_id=world.users["passenger"].pk, language="fr")

    response = world.client("company_admin").get(pdf_url(sold.ticket_id))

    assert f"Billet {sold.number}" in pages_words(response.content)[0]


def test_without_any_choice_the_company_language_is_used(world, sold):
    world.change_company(language="sw")

    response = world.client("passenger").get(pdf_url(sold.ticket_id))

    assert f"Tiketi {sold.number}" in pages_words(response.content)[0]


def test_a_passenger_who_chose_by_phone_gets_their_language(world, sold):
    ContactPreference.objects.create(address="+254700000003", language="fr")

    response = world.client("passenger").get(pdf_url(sold.ticket_id))

    assert f"Billet {sold.number}" in pages_words(response.content)[0]


@pytest.mark.parametrize("query", [{"language": "de"}, {"language": ""}, {"lang": "sw"}])
def test_a_language_the_tickets_are_not_written_in_is_a_400_problem(world, sold, query):
    response = world.client("passenger").get(pdf_url(sold.ticket_id), query)

    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "validation_failed"
    assert list(response.json()["errors"]) == list(query)


def test_a_cancelled_ticket_downloads_marked_cancelled_without_a_code(world):
    booking_id = confirmed_booking(world, {"6B": "Amina Wanjiru"})
    cancel(world, booking_id)
    notice = ticketing_api.ticket_notices(principal=world.admin, booking_id=booking_id)[0]

    response = world.client("passenger").get(pdf_url(notice.ticket_id))

    assert response.status_code == 200
    assert "CANCELLED" in pages_words(response.content)[0]
    assert images_on_page(response.content, 0) == 0
