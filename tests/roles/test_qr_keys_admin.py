"""The QR signing keys are the platform's: platform admins see them in the Django admin, company admins do not."""

from __future__ import annotations

import uuid

import pytest

from apps.auth.tests.factories import make_user

pytestmark = pytest.mark.django_db

KEYS = "/admin/qr/qrsigningkey/"


def test_a_platform_admin_sees_the_keys_and_a_company_admin_does_not(client):
    platform = make_user(global_roles=["platform_admin"], is_staff=True)
    company = make_user(roles={uuid.uuid4(): ["company_admin"]}, is_staff=True)

    client.force_login(platform)
    listing = client.get(KEYS)
    client.force_login(company)
    refused = client.get(KEYS)

    assert listing.status_code == 200
    assert [key.id for key in listing.context["cl"].queryset] == [1]
    assert refused.status_code == 403
