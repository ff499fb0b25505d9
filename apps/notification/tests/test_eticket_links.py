"""Short ticket links for SMS: made once per ticket, {base}/t/{code} with a random code of at least 50 bits,
serving the ticket's PDF to whoever holds the link. Anything else under /t/ is a 404 problem, answered without
a query when it cannot be a code."""

from __future__ import annotations

import re
import uuid

import pytest
from django.db import IntegrityError, transaction

from apps.notification.eticket import codes, ticket_link
from apps.notification.models import TicketLink
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
LINK = re.compile(r"^https://tkt\.example/t/(?P<code>[23456789abcdefghjkmnpqrstuvwxyz]{12})$")


@pytest.fixture(autouse=True)
def _link_origin(settings):
    settings.NOTIFICATION_TICKET_LINK_BASE_URL = "https://tkt.example"


@pytest.fixture
def world(db) -> SalesWorld:
    return build_sales_world()


@pytest.fixture
def sold(world) -> ticketing_api.TicketNotice:
    booking_id = confirmed_booking(world, {"9A": "Zoë Ñjoroge-Ōtieno"})
    return ticketing_api.ticket_notices(principal=world.admin, booking_id=booking_id)[0]


def code_of(link: str) -> str:
    match = LINK.match(link)
    assert match is not None, link
    return match.group("code")


def test_a_link_is_made_once_per_ticket(sold, django_assert_num_queries):
    first = ticket_link(ticket_id=sold.ticket_id)
    with django_assert_num_queries(1):
        again = ticket_link(ticket_id=sold.ticket_id)

    assert again == first
    assert list(TicketLink.objects.values_list("ticket_id", "code")) == [(sold.ticket_id, code_of(first))]


def test_each_ticket_has_its_own_link(world, sold):
    other = ticketing_api.ticket_notices(principal=world.admin,
                                         booking_id=confirmed_booking(world, {"9B": "Amina Wanjiru"}))[0]

    assert ticket_link(ticket_id=sold.ticket_id) != ticket_link(ticket_id=other.ticket_id)
    assert TicketLink.objects.count() == 2


def test_codes_are_random_and_hold_at_least_50_bits():
    drawn = {codes.new_code() for _ in range(2_000)}

    assert codes.BITS >= 50
    assert len(drawn) == 2_000
    assert all(codes.is_code(code) for code in drawn)
    # every symbol of the alphabet turns up, and none of the look-alikes
    assert set("".join(drawn)) == set(codes.ALPHABET)
    assert set("".join(drawn)) & set("01ilo") == set()


def test_the_database_refuses_a_second_link_for_a_ticket_and_a_code_of_another_shape(sold):
    TicketLink.objects.create(ticket_id=sold.ticket_id, code=codes.new_code())

    with pytest.raises(IntegrityError), transaction.atomic():
        TicketLink.objects.create(ticket_id=sold.ticket_id, code=codes.new_code())
    with pytest.raises(IntegrityError), transaction.atomic():
        TicketLink.objects.create(ticket_id=uuid.uuid4(), code="short")
    with pytest.raises(IntegrityError), transaction.atomic():
        TicketLink.objects.create(ticket_id=uuid.uuid4(), code="O0l1ilo0l1IL")
    assert TicketLink.objects.count() == 1


def test_the_link_serves_the_tickets_pdf_to_anyone_holding_it(world, sold):
    link = ticket_link(ticket_id=sold.ticket_id)

    response = world.client(None).get(f"/t/{code_of(link)}")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="ticket-{sold.number}.pdf"'
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex"
    assert f"Ticket {sold.number}" in pages_words(response.content)[0]
    assert qr_codes_on_page(response.content, 0) == [sold.code]


def test_the_link_speaks_the_companys_language_or_the_one_asked_for(world, sold):
    world.change_company(language="fr")
    code = code_of(ticket_link(ticket_id=sold.ticket_id))

    default = world.client(None).get(f"/t/{code}")
    asked = world.client(None).get(f"/t/{code}", {"language": "sw"})

    assert f"Billet {sold.number}" in pages_words(default.content)[0]
    assert f"Tiketi {sold.number}" in pages_words(asked.content)[0]


def test_the_link_of_a_cancelled_ticket_serves_it_marked_cancelled(world):
    booking_id = confirmed_booking(world, {"9C": "Amina Wanjiru"})
    notice = ticketing_api.ticket_notices(principal=world.admin, booking_id=booking_id)[0]
    code = code_of(ticket_link(ticket_id=notice.ticket_id))
    cancel(world, booking_id)

    response = world.client(None).get(f"/t/{code}")

    assert response.status_code == 200
    assert "CANCELLED" in pages_words(response.content)[0]
    assert images_on_page(response.content, 0) == 0


def test_an_unknown_code_is_a_404_problem(world, sold):
    ticket_link(ticket_id=sold.ticket_id)

    response = world.client(None).get(f"/t/{codes.new_code()}")

    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    assert (response.json()["code"], response.json()["detail"]) == ("not_found", "No ticket at this link.")


@pytest.mark.parametrize("path", [
    "/t/",
    "/t/%00",
    "/t/abcdefghjkm%00",
    "/t/" + "a" * 100_000,
    "/t/ABCDEFGHJKMN",  # upper case: not the alphabet
    "/t/0o1liabcdefg",  # look-alikes
    "/t/abcdefghjkmn/",
    "/t/abcdefghjkmn/more",
    "/t/../../etc/passwd",
    "/t/%F0%9F%9A%8C%F0%9F%9A%8C%F0%9F%9A%8C",
    "/t/abcdef%0Aghjkm",
    "/t/%FF%FE",
    "/t/abcdefghjkmn%20",
])
def test_what_cannot_be_a_code_is_a_404_problem_without_a_query(world, sold, path, django_assert_num_queries):
    client = world.client(None)

    with django_assert_num_queries(0):
        response = client.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM
    assert response.json()["code"] == "not_found"


def test_the_link_only_reads(world, sold):
    code = code_of(ticket_link(ticket_id=sold.ticket_id))

    response = world.client(None).post(f"/t/{code}")

    assert response.status_code == 405
    assert response["Content-Type"] == PROBLEM
    assert TicketLink.objects.count() == 1


def test_the_link_is_not_part_of_the_api_schema(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    assert [path for path in schema["paths"] if path.startswith("/t/")] == []
    assert "/api/v1/tickets/{ticket_id}/ticket.pdf" in schema["paths"]
    answers = schema["paths"]["/api/v1/tickets/{ticket_id}/ticket.pdf"]["get"]["responses"]
    assert answers["200"]["content"] == {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}
