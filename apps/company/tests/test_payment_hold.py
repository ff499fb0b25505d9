"""The company's payment hold: how long a hold lasts at least once its payment is started, bounded by the
platform's PAYMENT_HOLD_MAX_MINUTES."""

from __future__ import annotations

import pytest

from apps.company import api
from apps.company.models import Company
from apps.company.services.companies import company_update
from transport.errors import ValidationFailed

BASE = "/api/v1/company"


def test_a_company_holds_fifteen_minutes_for_a_payment_unless_it_says_otherwise(tenant_a):
    found = api.company_settings(company_id=tenant_a.company.id)

    assert found.payment_hold_minutes == 15


def test_the_admin_sets_the_payment_hold_up_to_the_platforms_limit(tenant_a, settings):
    settings.PAYMENT_HOLD_MAX_MINUTES = 30

    company_update(principal=tenant_a.admin, company_id=tenant_a.company.id, payment_hold_minutes=30)

    assert api.company_settings(company_id=tenant_a.company.id).payment_hold_minutes == 30


@pytest.mark.parametrize("minutes", [0, 31])
def test_a_payment_hold_outside_one_to_the_platforms_limit_is_refused(tenant_a, settings, minutes):
    settings.PAYMENT_HOLD_MAX_MINUTES = 30

    with pytest.raises(ValidationFailed) as raised:
        company_update(principal=tenant_a.admin, company_id=tenant_a.company.id, payment_hold_minutes=minutes)

    assert raised.value.fields == {"payment_hold_minutes": ["From 1 to 30 minutes (the platform's limit)."]}
    assert Company.objects.get(pk=tenant_a.company.id).payment_hold_minutes == 15


def test_the_payment_hold_is_read_and_changed_over_http(tenant_a, settings):
    settings.PAYMENT_HOLD_MAX_MINUTES = 20
    client = tenant_a.client("company_admin")

    changed = client.patch(f"{BASE}/companies/{tenant_a.company.id}", {"payment_hold_minutes": 20}, format="json")
    refused = client.patch(f"{BASE}/companies/{tenant_a.company.id}", {"payment_hold_minutes": 21}, format="json")

    assert changed.status_code == 200
    assert changed.json()["payment_hold_minutes"] == 20
    assert refused.status_code == 422
    assert refused.json()["errors"] == {"payment_hold_minutes": ["From 1 to 20 minutes (the platform's limit)."]}
    assert client.get(f"{BASE}/companies/{tenant_a.company.id}").json()["payment_hold_minutes"] == 20
