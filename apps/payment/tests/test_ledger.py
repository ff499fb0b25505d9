"""The ledger and the transitions are append-only, money is credited once per payment and per provider
transaction, and cash lands in the same ledger with its collector."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.payment.models import LedgerEntry, Payable, Payment, PaymentTransition
from apps.payment.services import cash, ledger, payables
from transport.errors import Conflict

pytestmark = pytest.mark.django_db


def _cash_payment(subject: str = "booking:1") -> Payment:
    return cash.cash_record(company_id=uuid.uuid4(), subject=subject, amount_minor=80000, currency="KES",
                            collector="device:pos-1")


def test_cash_is_credited_once_with_its_collector_and_settles_the_payable():
    company_id = uuid.uuid4()
    payables.payable_register(company_id=company_id, subject="booking:a", amount_minor=80000, currency="KES",
                              expires_at=timezone.now() + timedelta(minutes=10))
    payment = cash.cash_record(company_id=company_id, subject="booking:a", amount_minor=80000, currency="KES",
                               collector="user:agent-7")
    entry = LedgerEntry.objects.get(payment=payment)
    assert (entry.kind, entry.provider, entry.amount_minor, entry.currency, entry.collector) == (
        "charge", "cash", 80000, "KES", "user:agent-7")
    assert payment.state == "succeeded"
    assert list(payment.transitions.values_list("from_state", "to_state", "actor")) == [
        ("", "succeeded", "user:agent-7")]
    assert Payable.objects.get(subject="booking:a").state == "settled"
    assert ledger.payment_balance_minor(payment.id) == 80000


def test_a_ledger_row_cannot_be_edited_or_deleted():
    entry = LedgerEntry.objects.get(payment=_cash_payment())
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(amount_minor=1)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).delete()
    assert LedgerEntry.objects.get(pk=entry.pk).amount_minor == 80000


def test_a_transition_cannot_be_rewritten():
    transition = PaymentTransition.objects.get(payment=_cash_payment())
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        PaymentTransition.objects.filter(pk=transition.pk).update(to_state="failed")


def test_a_payment_is_credited_once():
    payment = _cash_payment()
    with pytest.raises(IntegrityError), transaction.atomic():
        ledger.charge_credit(payment=payment, provider_txn="another-txn")
    assert LedgerEntry.objects.filter(payment=payment).count() == 1


def test_a_provider_transaction_is_credited_to_one_payment_only():
    first, second = _cash_payment("booking:1"), _cash_payment("booking:2")
    with pytest.raises(IntegrityError), transaction.atomic():
        ledger.charge_credit(payment=second, provider_txn=f"cash:{first.id}")


def test_a_payable_reference_is_unique_in_its_company_and_a_subject_payable_once():
    company_id = uuid.uuid4()
    until = timezone.now() + timedelta(minutes=10)
    references = {payables.payable_register(company_id=company_id, subject=f"booking:{n}", amount_minor=100,
                                            currency="KES", expires_at=until).reference for n in range(50)}
    assert len(references) == 50
    assert all(len(reference) == 8 for reference in references)
    with pytest.raises(Conflict):
        payables.payable_register(company_id=company_id, subject="booking:0", amount_minor=100, currency="KES",
                                  expires_at=until)


def test_an_open_payable_is_found_by_its_reference_until_it_lapses_or_is_withdrawn():
    company_id = uuid.uuid4()
    now = timezone.now()
    payable = payables.payable_register(company_id=company_id, subject="booking:x", amount_minor=100,
                                        currency="KES", expires_at=now + timedelta(minutes=5))
    assert payables.payable_open(company_id=company_id, reference=payable.reference.lower(), now=now) == payable
    assert payables.payable_open(company_id=company_id, reference=payable.reference,
                                 now=now + timedelta(minutes=6)) is None
    assert payables.payable_open(company_id=uuid.uuid4(), reference=payable.reference, now=now) is None
    payables.payable_withdraw(subjects=["booking:x"])
    assert payables.payable_open(company_id=company_id, reference=payable.reference, now=now) is None
