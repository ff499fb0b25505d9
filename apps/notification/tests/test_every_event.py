"""Every event a passenger or a member of staff must hear about, in each language, planned by the real handlers
and sent through the real Africa's Talking client to its emulator and through Django's email backend: each kind
of message goes out, in the recipient's language, and what the gateway took is what the log says was sent."""

from __future__ import annotations

import pytest
from django.core import mail

from apps.notification.models import Delivery
from apps.notification.services.sending import delivery_send
from apps.payment import signals as payment_signals
from tests.worlds import notification as cast
from tests.worlds.boarding import delay, ticket
from transport.events import publish

pytestmark = pytest.mark.django_db

EVERY_KIND = {"ticket_confirmed", "seat_changed", "trip_delayed", "payment_failed", "ticket_cancelled",
              "refund_completed", "trip_cancelled", "staff_invited", "password_reset"}
RIDER = "+254700000001"
STAFF_PHONE = "+254711000077"


def _told(name: str) -> None:
    assert cast.deliver_all(name) >= 1, name


def _happenings(world) -> None:
    """Each event as the app below makes it, told right away (as a worker would)."""
    confirmed = ticket(world, "1A")
    _told("ticketing.ticket_confirmed")
    ticket(world, "10A")
    world.swap_to_small_bus(rows=8)  # 10A is no more: its passenger is reseated
    cast.deliver_all("company.trip_bus_changed", handler="apps.ticketing.receivers.reseat_passengers_of_swapped_bus")
    _told("ticketing.ticket_seat_changed")
    delay(world, 40)
    _told("company.trip_delayed")
    cast.payment_failed(world, cast.booking_of(world, "5A").id)
    _told("payment.payment_failed")
    publish(payment_signals.refund_completed, payment_signals.RefundCompleted(
        refund_id="00000000-0000-0000-0000-000000000001", payment_id="00000000-0000-0000-0000-000000000002",
        company_id=str(world.company_id), subject=f"booking:{confirmed.booking_id}", key=f"ticket:{confirmed.id}",
        provider="mpesa", amount_minor=140_000, currency="KES"))
    _told("payment.refund_completed")
    cancelled = ticket(world, "2B")
    cast.cancel_by_passenger(world, cancelled.booking_id)
    _told("ticketing.ticket_cancelled")
    world.cancel_trip()
    cast.deliver_all("company.trip_cancelled", handler="apps.ticketing.receivers.cancel_bookings_of_cancelled_trip")
    _told("ticketing.ticket_cancelled")
    cast.invite(world, email="amina@example.test", phone=STAFF_PHONE)
    _told("identity.staff_invited")
    cast.reset_password(world.users["passenger"].email)
    _told("identity.password_reset_requested")


@pytest.mark.parametrize("language", ["en", "sw", "fr"])
def test_every_event_is_told_in_the_recipients_language_through_the_real_clients(world, africastalking, sms_platform,
                                                                                language):
    world.change_company(language=language)
    _happenings(world)

    outcomes = {delivery_send(pk) for pk in Delivery.objects.values_list("pk", flat=True)}

    deliveries = Delivery.objects.all()
    assert outcomes == {"sent"}
    assert {row.event_type for row in deliveries} == EVERY_KIND
    assert {row.language for row in deliveries.exclude(event_type="password_reset")} == {language}
    # a password reset belongs to no company: the account's own language, else English
    assert {row.language for row in deliveries.filter(event_type="password_reset")} == {"en"}
    # every kind went both ways, but to the passenger's account, which has an email and no phone
    assert {(row.event_type, row.channel) for row in deliveries} == {
        (kind, channel) for kind in EVERY_KIND for channel in ("sms", "email")} - {
        ("password_reset", "sms"), ("payment_failed", "sms")}
    taken = [m for m in africastalking.messages() if m["status"] == "accepted"]
    sms = deliveries.filter(channel="sms")
    assert sorted((m["to"], m["text"]) for m in taken) == sorted(sms.values_list("recipient", "body"))
    assert all(row.segments == 1 and row.encoding == "GSM-7" for row in sms)
    emails = deliveries.filter(channel="email")
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == sorted(emails.values_list("recipient", "subject"))


def test_a_ticket_is_worded_in_each_companys_language(world, other_world):
    world.change_company(language="sw")
    other_world.change_company(language="fr")
    ticket(world, "1A")
    ticket(other_world, "1A")

    cast.deliver_all("ticketing.ticket_confirmed")

    words = {row.company_id: row.body.split(": ", 1)[1].split()[0]
             for row in Delivery.objects.filter(channel="sms")}
    assert words == {world.company_id: "tiketi", other_world.company_id: "billet"}
