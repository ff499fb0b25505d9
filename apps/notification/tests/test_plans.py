"""Every event a passenger or a member of staff must hear about becomes the right deliveries: the right kind of
message, to the right addresses, in the right language, once per event and recipient however often the event
is delivered; opted-out passengers get only the essential ones."""

from __future__ import annotations

import pytest

from apps.company import api as company_api
from apps.notification.models import ContactPreference, Delivery
from apps.notification.plans import ticket_confirmed
from apps.notification.services.planning import deliveries_plan
from apps.payment import signals as payment_signals
from tests.worlds import notification as cast
from tests.worlds.boarding import delay, ticket
from transport.events import publish

pytestmark = pytest.mark.django_db


def _rows(**where) -> list[tuple[str, str, str, str]]:
    return list(Delivery.objects.filter(**where).order_by("channel", "recipient")
                .values_list("event_type", "channel", "recipient", "status"))


def test_a_confirmed_ticket_is_told_by_sms_to_the_passenger_and_by_email_to_the_account_once(world):
    sold = ticket(world, "3B", name="Achieng Otieno")
    row = cast.events("ticketing.ticket_confirmed")[0]

    applied = [cast.deliver(row) for _ in range(5)]

    email = world.users["passenger"].email
    assert applied == [True, False, False, False, False]
    assert _rows() == [("ticket_confirmed", "email", email, "queued"),
                       ("ticket_confirmed", "sms", "+254700000001", "queued")]
    sms = Delivery.objects.get(channel="sms")
    assert (sms.ticket_id, sms.booking_id, sms.company_id, sms.language) == (
        sold.id, sold.booking_id, world.company_id, "en")
    assert sold.number in sms.body and "3B" in sms.body
    assert (sms.encoding, sms.segments) == ("GSM-7", 1)
    mail = Delivery.objects.get(channel="email")
    assert sold.number in mail.subject + mail.body and "Achieng Otieno" in mail.body and mail.html_body


def test_the_delivery_key_holds_even_when_the_handler_runs_again_for_the_same_event(world):
    sold = ticket(world, "3B")
    row = cast.events("ticketing.ticket_confirmed")[0]

    written = [deliveries_plan(event_id=row.id, messages=ticket_confirmed(ticket_id=sold.id)) for _ in range(5)]

    assert [len(ids) for ids in written] == [2, 0, 0, 0, 0]
    assert Delivery.objects.count() == 2


def test_a_passenger_is_written_to_in_their_own_language_else_the_companys(world):
    world.change_company(language="fr")
    ticket(world, "1A")
    cast.deliver(cast.events("ticketing.ticket_confirmed")[0])
    ContactPreference.objects.create(user_id=world.users["passenger"].pk, language="sw")
    ticket(world, "1B")
    cast.deliver(cast.events("ticketing.ticket_confirmed")[1])

    languages = list(Delivery.objects.order_by("created_at", "channel").values_list("language", flat=True))

    assert languages == ["fr", "fr", "sw", "sw"]


def test_a_delay_reaches_every_valid_ticket_of_the_trip_but_not_who_opted_out(world):
    ticket(world, "1A")
    cancelled = cast.booking_of(world, "2A", phone="+254700000002")
    cast.cancel_by_passenger(world, cancelled.id)
    ticket(world, "4C")
    ContactPreference.objects.create(address="+254700000001", opted_out=True)
    delay(world, 45)

    assert cast.deliver_all("company.trip_delayed") == 1

    rows = Delivery.objects.filter(event_type="trip_delayed")
    # the two valid tickets share one phone and one account: one SMS and one email, both skipped (opted out)
    assert sorted(rows.values_list("channel", "status")) == [("email", "skipped"), ("sms", "skipped")]
    assert not rows.filter(recipient="+254700000002").exists()  # its ticket was cancelled


def test_a_delay_is_worded_with_the_new_departure(world):
    ticket(world, "1A")
    delay(world, 45)
    cast.deliver_all("company.trip_delayed")

    sms = Delivery.objects.get(event_type="trip_delayed", channel="sms")

    assert sms.status == "queued" and "08:45" in sms.body and "45" in sms.body


def test_a_cancelled_trip_reaches_even_who_opted_out_with_what_happens_to_their_money(world):
    ticket(world, "1A")
    ContactPreference.objects.create(user_id=world.users["passenger"].pk, opted_out=True)
    world.cancel_trip()
    cast.deliver_all("company.trip_cancelled", handler="apps.ticketing.receivers.cancel_bookings_of_cancelled_trip")

    assert cast.deliver_all("ticketing.ticket_cancelled") == 1

    assert _rows() == _rows(event_type="trip_cancelled", status="queued") and len(_rows()) == 2
    assert "1,400.00" in Delivery.objects.get(channel="sms").body


def test_a_ticket_cancelled_by_its_passenger_is_told_with_its_refund(world):
    sold = ticket(world, "1A")
    cast.cancel_by_passenger(world, sold.booking_id)

    cast.deliver_all("ticketing.ticket_cancelled")

    sms = Delivery.objects.get(event_type="ticket_cancelled", channel="sms")
    assert sold.number in sms.body and "KES 1,260.00" in sms.body  # 90% of 1,400 two days ahead


def test_a_seat_change_after_a_bus_swap_is_told(world):
    ticket(world, "10A")
    world.swap_to_small_bus(rows=8)
    cast.deliver_all("company.trip_bus_changed", handler="apps.ticketing.receivers.reseat_passengers_of_swapped_bus")

    assert cast.deliver_all("ticketing.ticket_seat_changed") == 1

    sms = Delivery.objects.get(event_type="seat_changed", channel="sms")
    assert "10A" in sms.body


def test_a_failed_payment_of_a_held_booking_is_told_to_its_holder(world):
    booking = cast.booking_of(world, "5A")
    cast.payment_failed(world, booking.id)

    cast.deliver_all("payment.payment_failed")

    passenger = world.users["passenger"]
    assert _rows() == [("payment_failed", "email", passenger.email, "queued")]  # the account has no phone
    assert "KES 1,400.00" in Delivery.objects.get().body


def test_a_completed_refund_of_a_ticket_is_told_with_its_amount(world):
    sold = ticket(world, "1A")
    publish(payment_signals.refund_completed, payment_signals.RefundCompleted(
        refund_id="00000000-0000-0000-0000-000000000001", payment_id="00000000-0000-0000-0000-000000000002",
        company_id=str(world.company_id), subject=f"booking:{sold.booking_id}", key=f"ticket:{sold.id}",
        provider="mpesa", amount_minor=126_000, currency="KES"))

    cast.deliver_all("payment.refund_completed")

    sms = Delivery.objects.get(event_type="refund_completed", channel="sms")
    assert "KES 1,260.00" in sms.body and sold.number in sms.body


def test_an_invitation_and_a_password_reset_carry_the_link_identity_gives_now(world):
    cast.invite(world, email="wanjiru@example.test")
    cast.reset_password(world.users["passenger"].email)

    cast.deliver_all("identity.staff_invited")
    cast.deliver_all("identity.password_reset_requested")

    invitation = Delivery.objects.get(event_type="staff_invited")
    reset = Delivery.objects.get(event_type="password_reset")
    assert invitation.recipient == "wanjiru@example.test" and "http" in invitation.body
    assert reset.recipient == world.users["passenger"].email and "http" in reset.body
    assert invitation.company_id == world.company_id and reset.company_id is None


def test_each_companys_ticket_is_told_in_its_own_name(world, other_world):
    ticket(world, "1A")
    ticket(other_world, "1A")

    cast.deliver_all("ticketing.ticket_confirmed")

    for company in (world, other_world):
        mine = Delivery.objects.filter(company_id=company.company_id)
        assert sorted(mine.values_list("recipient", flat=True)) == sorted(
            ["+254700000001", company.users["passenger"].email])
        name = company_api.company_settings(company_id=company.company_id).name
        assert all(name in row.body for row in mine)
