"""Deliveries sent through the real SMS client to the Africa's Talking emulator, and by Django's email backend: one
message per event and recipient however often the event or the send task comes; a gateway error retried with
backoff until it passes; a refused number failed for good; retries exhausted: a dead letter, replayed by staff."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from apps.notification.models import ContactPreference, Delivery
from apps.notification.plans import READER
from apps.notification.services.replays import delivery_replay
from apps.notification.services.sending import deliveries_due, delivery_send, retry_delay
from apps.ticketing import api as ticketing_api
from tests.worlds import notification as cast
from tests.worlds.boarding import CASHIER, delay, ticket
from transport.errors import Conflict, NotFound

pytestmark = pytest.mark.django_db

PHONE = "+254700000001"


def _confirmed(world, seat: str = "1A", phone: str = PHONE):
    booking = cast.booking_of(world, seat, phone=phone)
    ticketing_api.booking_confirm(booking_id=booking.id, principal=CASHIER, payment_ref="CASH")
    for row in cast.events("ticketing.ticket_confirmed"):
        cast.deliver(row)
    return booking


def _taken(emulator, phone: str = PHONE) -> list[dict]:
    """The messages to `phone` the gateway took (its inbox also lists the requests it refused)."""
    return [message for message in emulator.messages(to=phone) if message["status"] == "accepted"]


def _send_all() -> list[str]:
    return [delivery_send(pk) for pk in Delivery.objects.order_by("channel").values_list("pk", flat=True)]


def _due_now(delivery: Delivery) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def test_a_confirmed_ticket_reaches_the_gateway_and_the_mailbox_once(world, africastalking, sms_platform):
    _confirmed(world)

    outcomes = [_send_all() for _ in range(5)]

    assert outcomes[0] == ["sent", "sent"] and all(o == ["not due", "not due"] for o in outcomes[1:])
    sent = _taken(africastalking)
    assert len(sent) == 1
    sms = Delivery.objects.get(channel="sms")
    assert sent[0]["text"] == sms.body and sms.provider_message_id and sms.cost and sms.attempts == 1
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [world.users["passenger"].email] and email.subject == Delivery.objects.get(
        channel="email").subject
    number = ticketing_api.ticket_notices(principal=READER, ticket_ids=[sms.ticket_id])[0].number
    assert [(name, kind) for name, _, kind in email.attachments] == [(f"ticket-{number}.pdf", "application/pdf")]
    assert email.attachments[0][1].startswith(b"%PDF")


def test_a_gateway_error_is_retried_with_backoff_and_the_message_goes_once(world, africastalking, sms_platform):
    africastalking.script(PHONE, "http_error", status=500, times=1)
    _confirmed(world)
    sms = Delivery.objects.get(channel="sms")

    first = delivery_send(sms.pk)
    too_soon = delivery_send(sms.pk)
    sms.refresh_from_db()
    waiting = (sms.status, sms.attempts, sms.next_attempt_at is not None)
    _due_now(sms)
    second = delivery_send(sms.pk)

    assert (first, too_soon, waiting, second) == ("queued", "not due", ("queued", 1, True), "sent")
    assert len(_taken(africastalking)) == 1
    sms.refresh_from_db()
    assert sms.attempts == 2
    assert list(sms.log.values_list("kind", "status")) == [("attempt", "queued"), ("attempt", "sent")]


def test_the_backoff_doubles_each_time(settings):
    settings.NOTIFICATION_RETRY_SECONDS = 30

    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]


@pytest.mark.parametrize("outcome", ["invalid", "blacklisted"])
def test_a_refused_number_is_failed_for_good_and_never_retried(world, africastalking, sms_platform, outcome):
    africastalking.script(PHONE, outcome, times=0)
    _confirmed(world)
    sms = Delivery.objects.get(channel="sms")

    assert delivery_send(sms.pk) == "failed"
    sms.refresh_from_db()
    assert (sms.status, sms.attempts, sms.next_attempt_at) == ("failed", 1, None)
    _due_now(sms)

    assert delivery_send(sms.pk) == "not due"
    assert Delivery.objects.get(pk=sms.pk).attempts == 1
    assert sms.pk not in deliveries_due(now=timezone.now() + timedelta(days=1))
    assert _taken(africastalking) == []


def test_retries_exhausted_make_a_dead_letter_that_staff_replay(world, other_world, africastalking, sms_platform,
                                                                settings):
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    africastalking.script(PHONE, "http_error", status=503, times=3)
    _confirmed(world)
    sms = Delivery.objects.get(channel="sms")
    outcomes = []
    for _ in range(3):
        _due_now(sms)
        outcomes.append(delivery_send(sms.pk))

    assert outcomes == ["queued", "queued", "dead"]
    with pytest.raises(NotFound):
        delivery_replay(principal=other_world.principal("company_admin"), delivery_id=sms.pk)
    delivery_replay(principal=world.principal("company_admin"), delivery_id=sms.pk)
    assert delivery_send(sms.pk) == "sent"
    with pytest.raises(Conflict):
        delivery_replay(principal=world.principal("company_admin"), delivery_id=sms.pk)
    assert len(_taken(africastalking)) == 1
    assert list(Delivery.objects.get(pk=sms.pk).log.values_list("kind", flat=True)) == [
        "attempt", "attempt", "attempt", "replay", "attempt"]


def test_a_skipped_message_is_never_sent(world, africastalking, sms_platform):
    ticket(world, "1A")
    ContactPreference.objects.create(user_id=world.users["passenger"].pk, opted_out=True)
    delay(world, 30)
    cast.deliver_all("company.trip_delayed")

    assert {delivery_send(pk) for pk in Delivery.objects.filter(event_type="trip_delayed")
            .values_list("pk", flat=True)} == {"not due"}
    assert _taken(africastalking) == []


def test_the_sweep_finds_retries_due_and_first_tries_whose_task_was_lost(world, africastalking, sms_platform,
                                                                          settings):
    settings.NOTIFICATION_SWEEP_GRACE_SECONDS = 60
    _confirmed(world)
    sms, email = Delivery.objects.get(channel="sms"), Delivery.objects.get(channel="email")
    now = timezone.now()

    assert deliveries_due(now=now) == []
    assert set(deliveries_due(now=now + timedelta(seconds=61))) == {sms.pk, email.pk}
