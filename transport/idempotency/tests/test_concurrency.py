"""Concurrent requests with one key, on real threads, each with its own database connection."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone
from rest_framework.test import APIClient

from tests.probe.models import Effect
from transport.idempotency.models import IdempotencyRecord
from transport.testing.threads import WAIT_BOUND_SECONDS, barrier

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls("transport.idempotency.tests.urls")]

KEY = "0b7e4f52-2d1c-4a4e-8f0e-5c8b9d1e7a33"
CALLERS = 20


def post_on_own_connection(path: str, body: dict, start: threading.Barrier | None = None):
    try:
        if start is not None:
            start.wait()
        return APIClient().post(path, body, format="json", headers={"Idempotency-Key": KEY})
    finally:
        connections.close_all()  # this thread's connections only: they must not outlive the test


def test_the_same_request_while_the_first_still_runs_gets_409_with_retry_after(gate):
    with ThreadPoolExecutor(max_workers=1) as pool:
        first = pool.submit(post_on_own_connection, "/effects-gated", {"name": "seat-12"})
        assert gate.await_arrival()

        second = APIClient().post("/effects-gated", {"name": "seat-12"}, format="json",
                                  headers={"Idempotency-Key": KEY})
        effects_while_running = Effect.objects.count()
        gate.opened.set()
        first_response = first.result(WAIT_BOUND_SECONDS)
    third = APIClient().post("/effects-gated", {"name": "seat-12"}, format="json", headers={"Idempotency-Key": KEY})

    assert second.status_code == 409
    assert second["Retry-After"] == "1"
    assert second["Content-Type"] == "application/problem+json"
    assert second.json()["code"] == "idempotency_request_in_progress"
    assert effects_while_running == 0
    assert first_response.status_code == 201
    assert third.status_code == 201
    assert third.content == first_response.content
    assert third["Idempotent-Replayed"] == "true"
    assert Effect.objects.count() == 1


def test_twenty_callers_racing_with_one_key_run_the_request_once():
    start = barrier(CALLERS)

    with ThreadPoolExecutor(max_workers=CALLERS) as pool:
        futures = [
            pool.submit(post_on_own_connection, "/effects", {"name": "seat-12"}, start) for _ in range(CALLERS)
        ]
        responses = [future.result(WAIT_BOUND_SECONDS) for future in futures]

    statuses = sorted(response.status_code for response in responses)
    created = [response for response in responses if response.status_code == 201]
    originals = [response for response in created if "Idempotent-Replayed" not in response]
    effect = Effect.objects.get()
    assert set(statuses) <= {201, 409}, statuses
    assert len(originals) == 1
    assert {response.content for response in created} == {originals[0].content}
    assert originals[0].json() == {"id": effect.id, "name": "seat-12"}
    assert all(response.json()["code"] == "idempotency_request_in_progress"
               for response in responses if response.status_code == 409)
    assert IdempotencyRecord.objects.get().state == "done"


def test_twenty_callers_arriving_while_the_first_runs_all_get_409_and_it_runs_once(gate):
    with ThreadPoolExecutor(max_workers=CALLERS) as pool:
        first = pool.submit(post_on_own_connection, "/effects-gated", {"name": "seat-12"})
        assert gate.await_arrival()
        start = barrier(CALLERS - 1)
        others = [
            pool.submit(post_on_own_connection, "/effects-gated", {"name": "seat-12"}, start)
            for _ in range(CALLERS - 1)
        ]
        other_statuses = [future.result(WAIT_BOUND_SECONDS).status_code for future in others]
        effects_while_running = Effect.objects.count()
        gate.opened.set()
        first_response = first.result(WAIT_BOUND_SECONDS)

    assert other_statuses == [409] * (CALLERS - 1)
    assert effects_while_running == 0
    assert first_response.status_code == 201
    assert Effect.objects.count() == 1


def test_a_holder_outlived_by_the_stale_timeout_cannot_overwrite_the_answer_of_the_request_that_took_over(
    gate, caplog
):
    with ThreadPoolExecutor(max_workers=2) as pool:
        slow = pool.submit(post_on_own_connection, "/effects-gated", {"name": "seat-12"})
        assert gate.await_arrival()
        IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(seconds=61))
        retry = pool.submit(post_on_own_connection, "/effects-gated", {"name": "seat-12"})
        assert gate.await_arrival()
        gate.opened.set()
        slow_response, retry_response = slow.result(WAIT_BOUND_SECONDS), retry.result(WAIT_BOUND_SECONDS)

    assert (slow_response.status_code, retry_response.status_code) == (201, 201)
    # both ran: the price of taking over a claim whose holder only seemed dead
    assert Effect.objects.count() == 2
    record = IdempotencyRecord.objects.get()
    assert record.state == "done"
    assert bytes(record.response_body) == retry_response.content
    assert [r.message for r in caplog.records if r.name == "transport.http.idempotency"] == [
        "idempotency claim was taken over before the request finished"
    ]
