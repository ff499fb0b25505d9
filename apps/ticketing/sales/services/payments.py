"""Paying a held booking through a provider (M-Pesa, MTN MoMo, PayPal).

The hold is first lengthened to cover the payment, in one short transaction: the payer gets at least the
company's payment hold minutes from now to approve it. Only after that commits does payment start the payment:
the provider is called over the network, outside any transaction. What comes of it arrives as payment_succeeded
(receivers.confirm_paid_booking confirms the booking then).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.company import api as company_api
from apps.payment import api as payment_api
from apps.ticketing import access, payables
from apps.ticketing.models import Booking, SeatHold
from apps.ticketing.permissions import CONFIRM_BOOKING
from apps.ticketing.sales import selectors
from transport.errors import Conflict
from transport.principal import Principal


@dataclass(frozen=True)
class BookingPayment:
    payment: payment_api.PaymentView
    booking_expires_at: datetime  # the hold's expiry once lengthened for the payment


def booking_pay(*, principal: Principal, booking_id: UUID, provider: str, phone: str = "", return_url: str = "",
                cancel_url: str = "") -> BookingPayment:
    """The booking's holder (or staff who may confirm bookings) asks for it to be paid with `provider`: `phone`
    (digits with the country code) for M-Pesa and MTN MoMo, `return_url` and `cancel_url` for PayPal.

    Conflict hold_not_live unless the booking is a live hold, not_payable when it costs nothing; then whatever
    payment.api.payment_start raises (ValidationFailed, Conflict, ServiceUnavailable: nothing was charged). The
    hold stays lengthened either way: the payer may try again within it.
    """
    booking = _hold_lengthened(principal=principal, booking_id=booking_id)
    payment = payment_api.payment_start(principal=principal, company_id=booking.company_id,
                                        subject=payables.subject_of(booking.id), provider=provider, payer_phone=phone,
                                        return_url=return_url, cancel_url=cancel_url)
    return BookingPayment(payment=payment, booking_expires_at=booking.expires_at)


@transaction.atomic
def _hold_lengthened(*, principal: Principal, booking_id: UUID) -> Booking:
    """Give the live hold at least the company's payment hold minutes from now: the booking, its seat rows and its
    payable. A hold that runs longer already keeps its expiry."""
    booking = selectors.booking_for(principal=principal, booking_id=booking_id, for_update=True)
    access.require_holder_or(principal, booking, CONFIRM_BOOKING)
    now = timezone.now()
    if booking.state != Booking.State.HELD or booking.expires_at <= now:
        raise Conflict("Only a live hold can be paid.", code="hold_not_live")
    if not booking.pay_reference:
        raise Conflict("Nothing is payable for this booking.", code="not_payable")
    # the platform's bound applies even to a company setting stored before the bound was lowered
    minutes = min(company_api.company_settings(company_id=booking.company_id).payment_hold_minutes,
                  settings.PAYMENT_HOLD_MAX_MINUTES)
    until = now + timedelta(minutes=minutes)
    if until > booking.expires_at:
        booking.expires_at = until
        booking.save(update_fields=["expires_at"])
        SeatHold.objects.filter(booking=booking, state=SeatHold.State.HELD).update(expires_at=until)
        payables.payable_extend(principal=principal, booking_id=booking.id, expires_at=until)
    return booking
