"""A company's language: what its messages are written in when a passenger asked for none."""

from __future__ import annotations

import pytest

from apps.company import api
from apps.company.models import Company

BASE = "/api/v1/company"


def test_a_company_writes_in_english_unless_it_says_otherwise(tenant_a):
    assert api.company_settings(company_id=tenant_a.company.id).language == "en"


@pytest.mark.parametrize("language", ["de", "", "EN", "sw\x00", 2**63, None, ["sw"]])
def test_a_language_the_platform_does_not_write_is_refused_and_changes_nothing(tenant_a, language):
    client = tenant_a.client("company_admin")

    refused = client.patch(f"{BASE}/companies/{tenant_a.company.id}", {"language": language}, format="json")

    assert refused.status_code == 400
    assert refused["content-type"] == "application/problem+json"
    assert list(refused.json()["errors"]) == ["language"]
    assert Company.objects.get(pk=tenant_a.company.id).language == "en"


def test_the_language_is_changed_and_read_over_http(tenant_a):
    client = tenant_a.client("company_admin")

    changed = client.patch(f"{BASE}/companies/{tenant_a.company.id}", {"language": "sw"}, format="json")

    assert changed.status_code == 200
    assert client.get(f"{BASE}/companies/{tenant_a.company.id}").json()["language"] == "sw"
    assert api.company_settings(company_id=tenant_a.company.id).language == "sw"
