"""What may be paid, as the selling app registers it (ticketing, when it holds seats)."""

from __future__ import annotations

import secrets
from datetime import datetime
from uuid import UUID

from django.db import IntegrityError, transaction

from apps.payment.models import Payable
from transport.errors import Conflict

# Crockford's base32 without I, L, O, U: a reference read aloud or typed on a phone keypad is not mistaken
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_LENGTH = 8
REFERENCE_ATTEMPTS = 5


def payable_register(*, company_id: UUID, subject: str, amount_minor: int, currency: str,
                     expires_at: datetime) -> Payable:
    """An open payable with a fresh reference, unique in the company (the Paybill account number)."""
    for _attempt in range(REFERENCE_ATTEMPTS):
        reference = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
        try:
            with transaction.atomic():  # a savepoint: a clashing reference is drawn again
                return Payable.objects.create(company_id=company_id, subject=subject, reference=reference,
                                              amount_minor=amount_minor, currency=currency, expires_at=expires_at)
        except IntegrityError:
            if Payable.objects.filter(subject=subject).exists():
                raise Conflict("This is already payable.", code="payable_exists") from None
    raise Conflict("Could not draw a free payment reference; try again.", code="reference_exhausted")


def payable_extend(*, subject: str, expires_at: datetime) -> None:
    Payable.objects.filter(subject=subject, state=Payable.State.OPEN).update(expires_at=expires_at)


def payable_withdraw(*, subjects: list[str]) -> None:
    """Nothing more is expected (a hold cancelled or lapsed): a Paybill payment naming it is refused."""
    Payable.objects.filter(subject__in=subjects, state=Payable.State.OPEN).update(state=Payable.State.WITHDRAWN)


def payable_open(*, company_id: UUID, reference: str, now: datetime) -> Payable | None:
    return Payable.objects.filter(company_id=company_id, reference=reference.strip().upper(),
                                  state=Payable.State.OPEN, expires_at__gt=now).first()
