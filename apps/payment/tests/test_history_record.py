"""Past payments (a demo company's operating history) are recorded by the platform's seeding only: a person who
holds the cash and refund permissions is refused, and nothing is written."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.payment import api as payment_api
from apps.payment.models import Payment
from tests.worlds.ticketing import build_sales_world
from transport.errors import PermissionDenied
from transport.principal import Principal

pytestmark = pytest.mark.django_db


def _past_cash(subject: str) -> tuple[payment_api.PastPayable, payment_api.PastPayment]:
    at = timezone.now() - timedelta(days=3)
    payable = payment_api.PastPayable(subject=subject, amount_minor=150_000, currency="KES", created_at=at,
                                      expires_at=at + timedelta(minutes=15), state="settled")
    payment = payment_api.PastPayment(id=uuid.uuid4(), subject=subject, provider="cash", amount_minor=150_000,
                                      currency="KES", state="succeeded", created_at=at, settled_at=at,
                                      initiated_by="user:seed")
    return payable, payment


def test_a_company_admin_holding_the_permissions_is_refused_and_nothing_is_written():
    world = build_sales_world()
    admin = world.principal("company_admin")
    assert admin.has(payment_api.COLLECT_CASH, company_id=world.company_id)
    assert admin.has(payment_api.REQUEST_REFUNDS, company_id=world.company_id)
    payable, payment = _past_cash(f"booking:{uuid.uuid4()}")

    with pytest.raises(PermissionDenied):
        payment_api.history_record(principal=admin, company_id=world.company_id, payables=[payable],
                                   payments=[payment], refunds=[])

    assert not Payment.objects.filter(id=payment.id).exists()


def test_the_platform_seeding_records_them():
    world = build_sales_world()
    seeding = Principal.system("test-seeding", {payment_api.COLLECT_CASH, payment_api.REQUEST_REFUNDS})
    payable, payment = _past_cash(f"booking:{uuid.uuid4()}")

    payment_api.history_record(principal=seeding, company_id=world.company_id, payables=[payable],
                               payments=[payment], refunds=[])

    recorded = Payment.objects.get(id=payment.id)
    assert (recorded.provider, recorded.amount_minor, recorded.state) == ("cash", 150_000, "succeeded")
