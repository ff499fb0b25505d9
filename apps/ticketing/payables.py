"""What ticketing tells payment about money: a held booking may be paid under the subject "booking:<id>" until
its hold lapses, nothing is expected once it is cancelled or lapsed, and cash taken for it goes in the same
ledger. Payment knows a booking only as that subject (it never imports ticketing)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from uuid import UUID

from apps.payment import api as payment_api
from transport.principal import Principal

SUBJECT_PREFIX = "booking:"
# holds let go without a person acting (the sweep, lapsed holds in a new hold's way, a cancelled trip): withdrawing
# their payables needs no permission, only a named principal in payment's records
RELEASER = Principal.system("ticketing.holds-released", frozenset())


def subject_of(booking_id: UUID) -> str:
    return f"{SUBJECT_PREFIX}{booking_id}"


def booking_of(subject: str) -> UUID | None:
    """The booking a payment subject names; None for a subject that is not a booking's."""
    if not subject.startswith(SUBJECT_PREFIX):
        return None
    try:
        return UUID(subject.removeprefix(SUBJECT_PREFIX))
    except ValueError:
        return None


def payable_register(*, principal: Principal, company_id: UUID, booking_id: UUID, amount_minor: int, currency: str,
                     expires_at: datetime) -> str:
    """Make a new hold payable until it lapses (call in the hold's transaction); its reference, the account number
    a payer quotes."""
    return payment_api.payable_register(principal=principal, company_id=company_id, subject=subject_of(booking_id),
                                        amount_minor=amount_minor, currency=currency, expires_at=expires_at)


def payable_extend(*, principal: Principal, booking_id: UUID, expires_at: datetime) -> None:
    payment_api.payable_extend(principal=principal, subject=subject_of(booking_id), expires_at=expires_at)


def payables_withdraw(*, principal: Principal, booking_ids: Iterable[UUID]) -> None:
    """Nothing more is expected for these bookings' holds: one call for them all, none for none."""
    subjects = [subject_of(booking_id) for booking_id in booking_ids]
    if subjects:
        payment_api.payable_withdraw(principal=principal, subjects=subjects)


def cash_record(*, principal: Principal, company_id: UUID, booking_id: UUID, amount_minor: int,
                currency: str) -> None:
    """Cash the confirming agent or device took for a booking (in the confirmation's transaction); nothing for a
    free booking. Needs payment.collect_cash, checked by payment."""
    if amount_minor > 0:
        payment_api.cash_record(principal=principal, company_id=company_id, subject=subject_of(booking_id),
                                amount_minor=amount_minor, currency=currency)
