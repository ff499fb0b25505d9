"""The delivery log in the admin: staff see their company's messages, found by ticket, with what happened to
each; company admins replay dead letters (dispatchers may only look)."""

from __future__ import annotations

import uuid

import pytest

from apps.notification.models import Delivery
from tests.worlds.payment import build_payment_company

pytestmark = pytest.mark.django_db

LIST = "/admin/notification/delivery/"


def _delivery(company_id, *, status: str = "sent", ticket_id=None) -> Delivery:
    return Delivery.objects.create(event_id=uuid.uuid4(), event_type="ticket_confirmed", channel="sms",
                                   recipient=f"+2547{uuid.uuid4().int % 10**8:08d}", company_id=company_id,
                                   ticket_id=ticket_id or uuid.uuid4(), language="en", body="Ticket", status=status)


def test_staff_find_their_companys_messages_by_ticket_and_no_other_companys(client):
    mine, theirs = build_payment_company(), build_payment_company()
    ticket_id = uuid.uuid4()
    wanted = _delivery(mine.company_id, ticket_id=ticket_id)
    _delivery(mine.company_id)
    foreign = _delivery(theirs.company_id, ticket_id=ticket_id)
    client.force_login(mine.users["dispatcher"])

    found = client.get(LIST, {"q": str(ticket_id)})

    assert found.status_code == 200
    assert [row.pk for row in found.context["cl"].result_list] == [wanted.pk]
    assert client.get(f"{LIST}{foreign.pk}/change/").status_code in (302, 404)


def test_a_company_admin_replays_a_dead_letter_and_a_dispatcher_cannot(client):
    company = build_payment_company()
    dead = _delivery(company.company_id, status="dead")
    sent = _delivery(company.company_id, status="sent")

    client.force_login(company.users["dispatcher"])
    client.post(LIST, {"action": "replay", "_selected_action": [str(dead.pk)]})
    assert Delivery.objects.get(pk=dead.pk).status == "dead"
    client.force_login(company.users["company_admin"])
    client.post(LIST, {"action": "replay", "_selected_action": [str(dead.pk), str(sent.pk)]})

    assert Delivery.objects.get(pk=dead.pk).status == "queued"
    assert Delivery.objects.get(pk=sent.pk).status == "sent"
    assert list(Delivery.objects.get(pk=dead.pk).log.values_list("kind", flat=True)) == ["replay"]
