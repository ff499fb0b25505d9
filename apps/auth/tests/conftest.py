"""Fixtures of identity's tests: real PostgreSQL, real Redis (rate-limit counters cleaned around each test)."""

from __future__ import annotations

import uuid

import pytest
import redis
from django.conf import settings
from rest_framework.test import APIClient

from apps.auth import ratelimit
from apps.auth.services.sessions import access_token_for
from apps.auth.tests.factories import make_user


def _clear_rate_limits() -> None:
    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        for key in client.scan_iter(match=f"{ratelimit.key_prefix()}:*", count=500):
            client.delete(key)
    finally:
        client.close()


@pytest.fixture(autouse=True)
def clean_rate_limits():
    _clear_rate_limits()
    yield
    _clear_rate_limits()


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def bearer(user) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {access_token_for(user)}"}


@pytest.fixture
def company_a() -> uuid.UUID:
    return uuid.uuid4()


@pytest.fixture
def company_b() -> uuid.UUID:
    return uuid.uuid4()


@pytest.fixture
def admin_a(db, company_a):
    return make_user(full_name="Admin A", roles={company_a: ["company_admin"]})


@pytest.fixture
def admin_b(db, company_b):
    return make_user(full_name="Admin B", roles={company_b: ["company_admin"]})
