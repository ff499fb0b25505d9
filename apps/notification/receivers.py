"""Notification's handlers of the events below it: each reads what it needs through the lower apps' published
interfaces, plans the messages, and writes their deliveries in the handler's transaction (the kernel applies a
handler once per event; the deliveries' key makes a message go once per event and recipient even so)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from apps.auth import signals as auth_signals
from apps.company import signals as company_signals
from apps.notification import plans
from apps.notification.plans import Message
from apps.notification.services.planning import deliveries_plan
from apps.payment import signals as payment_signals
from apps.ticketing import signals as ticketing_signals
from transport.events import Event, subscriber


def _plan(event: Event[Any], messages: Sequence[Message]) -> None:
    deliveries_plan(event_id=event.id, messages=messages)


@subscriber(ticketing_signals.ticket_confirmed)
def tell_ticket_confirmed(event: Event[ticketing_signals.TicketConfirmed]) -> None:
    _plan(event, plans.ticket_confirmed(ticket_id=UUID(event.payload.ticket_id)))


@subscriber(ticketing_signals.ticket_cancelled)
def tell_ticket_cancelled(event: Event[ticketing_signals.TicketCancelled]) -> None:
    cancelled = event.payload
    _plan(event, plans.ticket_cancelled(ticket_id=UUID(cancelled.ticket_id), currency=cancelled.currency,
                                        refundable_minor=cancelled.refundable_minor, reason=cancelled.reason))


@subscriber(ticketing_signals.ticket_seat_changed)
def tell_seat_changed(event: Event[ticketing_signals.TicketSeatChanged]) -> None:
    changed = event.payload
    _plan(event, plans.ticket_seat_changed(ticket_id=UUID(changed.ticket_id), old_seat=changed.old_seat,
                                           new_seat=changed.new_seat))


@subscriber(company_signals.trip_delayed)
def tell_trip_delayed(event: Event[company_signals.TripDelayed]) -> None:
    _plan(event, plans.trip_delayed(trip_id=UUID(event.payload.trip_id), delay_minutes=event.payload.delay_minutes))


@subscriber(payment_signals.payment_failed)
def tell_payment_failed(event: Event[payment_signals.PaymentFailed]) -> None:
    _plan(event, plans.payment_failed(subject=event.payload.subject, reason=event.payload.reason))


@subscriber(payment_signals.refund_completed)
def tell_refund_completed(event: Event[payment_signals.RefundCompleted]) -> None:
    refund = event.payload
    _plan(event, plans.refund_completed(key=refund.key, subject=refund.subject, amount_minor=refund.amount_minor,
                                        currency=refund.currency))


@subscriber(auth_signals.staff_invited)
def send_invitation(event: Event[auth_signals.StaffInvited]) -> None:
    invited = event.payload
    _plan(event, plans.account_link(kind="staff_invited", token_id=UUID(invited.invitation_id),
                                    company_id=UUID(invited.company_id), user_id=UUID(invited.user_id),
                                    full_name=invited.full_name, email=invited.email, phone=invited.phone))


@subscriber(auth_signals.password_reset_requested)
def send_password_reset(event: Event[auth_signals.PasswordResetRequested]) -> None:
    reset = event.payload
    _plan(event, plans.account_link(kind="password_reset", token_id=UUID(reset.reset_id), company_id=None,
                                    user_id=UUID(reset.user_id), full_name=reset.full_name, email=reset.email,
                                    phone=reset.phone))
