"""The cast of notification's tests: the sales world's passengers with tickets, and the events of the apps below
notification, made as those apps make them (their services), read back from the outbox and applied to
notification's handlers as the kernel applies them."""

from __future__ import annotations

import uuid
from uuid import UUID

from django.db import transaction

from apps.auth.services import account_tokens
from apps.payment.models import Payment
from apps.payment.providers.base import Outcome, PaymentStatus
from apps.payment.services import payments, transitions
from apps.ticketing.sales.services.bookings import PassengerIn, booking_hold
from apps.ticketing.sales.services.cancellation import booking_cancel
from tests.worlds.booking_payments import subject_of
from tests.worlds.ticketing import SalesWorld
from transport.events.delivery import apply_once
from transport.events.models import OutboxMessage

HANDLERS = {
    "ticketing.ticket_confirmed": "apps.notification.receivers.tell_ticket_confirmed",
    "ticketing.ticket_cancelled": "apps.notification.receivers.tell_ticket_cancelled",
    "ticketing.ticket_seat_changed": "apps.notification.receivers.tell_seat_changed",
    "company.trip_delayed": "apps.notification.receivers.tell_trip_delayed",
    "payment.payment_failed": "apps.notification.receivers.tell_payment_failed",
    "payment.refund_completed": "apps.notification.receivers.tell_refund_completed",
    "identity.staff_invited": "apps.notification.receivers.send_invitation",
    "identity.password_reset_requested": "apps.notification.receivers.send_password_reset",
}


def events(name: str) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(event=name).order_by("created_at", "id"))


def deliver(row: OutboxMessage, *, handler: str | None = None, event_id: UUID | None = None) -> bool:
    """Apply one outbox row to its notification handler (or `handler`), as the kernel does: False when that
    handler had already applied the event."""
    return apply_once(event_id=str(event_id or row.id), event=row.event, payload=row.payload, headers=row.headers,
                      handler=handler or HANDLERS[row.event])


def deliver_all(name: str, *, handler: str | None = None) -> int:
    return sum(deliver(row, handler=handler) for row in events(name))


def booking_of(world: SalesWorld, *seats: str, phone: str = "+254700000001", names: tuple[str, ...] = ()):
    """A held booking of the world's passenger (under their account)."""
    return booking_hold(principal=world.principal("passenger"), trip_id=world.trip_id,
                        from_stop_id=world.stops["Nairobi"], to_stop_id=world.stops["Kisumu"],
                        passengers=[PassengerIn(name=names[n] if n < len(names) else f"Rider {seat}", phone=phone,
                                                passenger_type="adult", seat_label=seat)
                                    for n, seat in enumerate(seats)])


def payment_failed(world: SalesWorld, booking_id: UUID, *, reason: str = "The balance was insufficient") -> Payment:
    """A provider's answer that the booking's payment failed, applied as payment applies one."""
    with transaction.atomic():
        payment = Payment(company_id=world.company_id, provider="mpesa", subject=subject_of(booking_id),
                          amount_minor=140_000, currency="KES", charge_amount_minor=140_000, charge_currency="KES",
                          payer="254708374149", initiated_by="user:notification-tests",
                          provider_ref=f"ws_CO_{uuid.uuid4().hex[:12]}")
        transitions.moved(payment, Payment.State.PENDING, actor="user:notification-tests")
    status = PaymentStatus(outcome=Outcome.FAILED, provider_ref=payment.provider_ref, reason_code="1",
                           reason=reason)
    assert payments.status_apply(payment_id=payment.id, status=status, actor="poll:mpesa") == "applied"
    return Payment.objects.get(pk=payment.id)


def cancel_by_passenger(world: SalesWorld, booking_id: UUID) -> None:
    booking_cancel(principal=world.principal("passenger"), booking_id=booking_id)


def invite(world: SalesWorld, *, email: str | None = None, phone: str | None = None,
           full_name: str = "Wanjiru Kamau") -> UUID:
    return account_tokens.invitation_create(principal=world.admin, company_id=world.company_id, roles=["agent"],
                                            email=email, phone=phone, full_name=full_name).id


def reset_password(identifier: str) -> None:
    account_tokens.password_reset_request(identifier=identifier, client_address="127.0.0.1")
