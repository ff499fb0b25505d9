"""Abuse limits: atomic Redis counters, strict per account or identifier, generous per client address (carrier-grade
NAT puts thousands of passengers behind one); over the limit -> 429."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test import Client

from apps.auth.models import SecurityEvent, User
from apps.auth.tests.factories import PASSWORD, make_user


def _login(identifier: str, address: str):
    try:
        return Client(REMOTE_ADDR=address).post("/api/v1/auth/token", {"identifier": identifier,
                                                                       "password": PASSWORD},
                                                content_type="application/json")
    finally:
        connection.close()  # each thread has its own connection; give it back


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_logins_for_one_account_let_exactly_the_limit_through(settings):
    settings.AUTH_RATE_LIMITS = {**settings.AUTH_RATE_LIMITS, "login": {"account": 5, "address": 1000, "window": 60}}
    make_user(email="target@example.test")

    with ThreadPoolExecutor(max_workers=50) as pool:
        # every attempt from its own address: only the per-account counter can stop them
        responses = list(pool.map(lambda n: _login("target@example.test", f"10.0.{n // 250}.{n % 250 + 1}"),
                                  range(50)))

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * 5 + [429] * 45
    limited = [r for r in responses if r.status_code == 429]
    assert all(1 <= int(r["Retry-After"]) <= 60 for r in limited)
    assert {r.json()["code"] for r in limited} == {"limit_exceeded"}
    assert SecurityEvent.objects.filter(kind="login_succeeded").count() == 5
    assert SecurityEvent.objects.filter(kind="rate_limited").count() == 1


@pytest.mark.django_db
def test_one_address_is_limited_across_accounts(api, settings):
    settings.AUTH_RATE_LIMITS = {**settings.AUTH_RATE_LIMITS, "login": {"account": 10, "address": 3, "window": 60}}

    statuses = [api.post("/api/v1/auth/token", {"identifier": f"u{n}@example.test", "password": "x"},
                         format="json", REMOTE_ADDR="192.0.2.7").status_code for n in range(5)]

    assert statuses == [401, 401, 401, 429, 429]
    assert SecurityEvent.objects.filter(kind="login_failed").count() == 3
    limited = SecurityEvent.objects.get(kind="rate_limited")  # once per window, not once per refusal
    assert (limited.client_address, limited.detail) == ("192.0.2.7", {"action": "login", "account": "u3@example.test"})


@pytest.mark.django_db
def test_registration_is_limited_per_address(api, settings):
    settings.AUTH_RATE_LIMITS = {**settings.AUTH_RATE_LIMITS, "register": {"account": 5, "address": 2, "window": 60}}

    statuses = [api.post("/api/v1/auth/register", {"email": f"r{n}@example.test", "password": PASSWORD},
                         format="json", REMOTE_ADDR="192.0.2.8").status_code for n in range(3)]

    assert statuses == [201, 201, 429]


@pytest.mark.django_db
def test_many_passengers_behind_one_carrier_address_all_register_with_the_shipped_limits(api):
    statuses = [api.post("/api/v1/auth/register", {"phone": f"+2547080{n:05d}", "password": PASSWORD},
                         format="json", REMOTE_ADDR="41.90.0.1").status_code for n in range(60)]

    assert statuses == [201] * 60
    assert User.objects.filter(phone__startswith="+2547080").count() == 60
    assert not SecurityEvent.objects.filter(kind="rate_limited").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("field, values", [
    ("email", ["same@example.test", "SAME@example.test", " same@example.test"]),
    ("phone", ["+254708374149", "+254 708 374 149", "+254-708-374-149"]),
])
def test_one_identifier_hammered_from_many_addresses_is_limited(api, settings, field, values):
    settings.AUTH_RATE_LIMITS = {**settings.AUTH_RATE_LIMITS, "register": {"account": 3, "address": 500, "window": 60}}
    attempts = [values[n % len(values)] for n in range(5)]

    responses = [api.post("/api/v1/auth/register", {field: value, "password": PASSWORD}, format="json",
                          REMOTE_ADDR=f"198.51.100.{n + 1}") for n, value in enumerate(attempts)]

    assert [r.status_code for r in responses] == [201, 409, 409, 429, 429]
    assert [r["Content-Type"] for r in responses[3:]] == ["application/problem+json"] * 2
    assert [r.json()["code"] for r in responses[3:]] == ["limit_exceeded"] * 2
    assert all(1 <= int(r["Retry-After"]) <= 60 for r in responses[3:])
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_refresh_is_limited_per_address(api, settings):
    settings.AUTH_RATE_LIMITS = {**settings.AUTH_RATE_LIMITS, "refresh": {"account": 30, "address": 2, "window": 60}}

    statuses = [api.post("/api/v1/auth/token/refresh", {"refresh": "junk"}, format="json",
                         REMOTE_ADDR="192.0.2.9").status_code for _ in range(3)]

    assert statuses == [401, 401, 429]


def test_an_unreachable_redis_is_a_503_problem_not_a_hang(api, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there

    response = api.post("/api/v1/auth/token", {"identifier": "nobody@example.test", "password": "x"}, format="json")

    assert response.status_code == 503
    assert response.json()["code"] == "ratelimit_unavailable"
