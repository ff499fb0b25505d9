"""Senders making a ticket's link at the same moment (a redelivered event, an SMS and an email) all get the one
link: the unique ticket_id is the guard. The control case shows that looking first cannot be: every sender
looks at the same instant, finds no link, and makes one; only the database keeps it to one."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection

from apps.notification.eticket import ticket_link
from apps.notification.models import TicketLink
from apps.notification.tests.eticket_reading import confirmed_booking
from apps.ticketing import api as ticketing_api
from tests.worlds.ticketing import build_sales_world
from transport.testing.threads import barrier, run_threads

SENDERS = 20


def race(attempt) -> list[str]:
    """attempt() from SENDERS threads, each on its own connection, released together."""
    start = barrier(SENDERS)
    links: list[str] = []
    lock = threading.Lock()

    def sender() -> None:
        try:
            start.wait()
            link = attempt()
            with lock:
                links.append(link)
        finally:
            connection.close()

    run_threads([threading.Thread(target=sender) for _ in range(SENDERS)])
    return links


@pytest.fixture
def ticket_id(transactional_db):
    world = build_sales_world()
    booking_id = confirmed_booking(world, {"5C": "Amina Wanjiru"})
    return ticketing_api.ticket_notices(principal=world.admin, booking_id=booking_id)[0].ticket_id


def test_simultaneous_senders_get_one_link(ticket_id):
    links = race(lambda: ticket_link(ticket_id=ticket_id))

    assert len(links) == SENDERS
    assert len(set(links)) == 1
    assert TicketLink.objects.filter(ticket_id=ticket_id).count() == 1


def test_control_every_sender_finds_no_link_and_the_database_alone_keeps_one(ticket_id):
    looked = barrier(SENDERS)

    def look_then_make() -> tuple[bool, str]:
        found = TicketLink.objects.filter(ticket_id=ticket_id).exists()
        looked.wait()  # everyone has looked before anyone makes: a check-then-create would make them all
        return found, ticket_link(ticket_id=ticket_id)

    outcomes = Counter(race(look_then_make))

    assert len(outcomes) == 1
    (found, link), count = outcomes.popitem()
    assert (found, count) == (False, SENDERS)
    assert TicketLink.objects.filter(ticket_id=ticket_id).count() == 1
