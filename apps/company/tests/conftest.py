"""Fixtures of company's tests: real PostgreSQL and Redis; two tenants built through the services."""

from __future__ import annotations

import pytest

from apps.company.tests.world import Tenant, build_tenant


@pytest.fixture
def tenant_a(db) -> Tenant:
    return build_tenant("alpha-coaches")


@pytest.fixture
def tenant_b(db) -> Tenant:
    return build_tenant("bravo-express")
