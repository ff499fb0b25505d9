"""`@idempotent(atomic=True)`: the claim, the view's writes and the stored answer commit in one transaction; the
same request arriving meanwhile waits for that commit and replays it, or hears 409 once the wait runs out."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from rest_framework.test import APIClient

from tests.probe.models import Effect
from transport.idempotency.models import IdempotencyRecord
from transport.idempotency.tests.test_concurrency import post_on_own_connection

pytestmark = pytest.mark.urls("transport.idempotency.tests.urls")

KEY = "0b7e4f52-2d1c-4a4e-8f0e-5c8b9d1e7a33"  # the key post_on_own_connection sends
WAIT_POLL_SECONDS = 0.05
WAIT_POLLS = 600  # a safety net so a failing test cannot hang the run


def post(path: str, body: dict, key: str | None = KEY):
    headers = {} if key is None else {"Idempotency-Key": key}
    return APIClient().post(path, body, format="json", headers=headers)


def _a_claim_waits_on_the_key() -> bool:
    """Whether another session's claim of a key is waiting for the transaction that holds it."""
    for _ in range(WAIT_POLLS):
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                           "AND query LIKE %s AND pid <> pg_backend_pid()",
                           ['%INSERT INTO "transport_idempotencyrecord"%'])
            if cursor.fetchone()[0]:
                return True
        time.sleep(WAIT_POLL_SECONDS)
    return False


@pytest.mark.django_db
def test_the_same_request_again_replays_the_answer_stored_with_its_effect():
    first = post("/atomic-effects", {"name": "seat-12"})

    again = post("/atomic-effects", {"name": "seat-12"})

    effect = Effect.objects.get()
    assert first.status_code == 201
    assert first.json() == {"id": effect.id, "name": "seat-12"}
    assert (again.status_code, again.content, again["Idempotent-Replayed"]) == (201, first.content, "true")
    record = IdempotencyRecord.objects.get()
    assert (record.state, record.response_status, bytes(record.response_body)) == ("done", 201, first.content)


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_refused_with_422_and_runs_nothing():
    post("/atomic-effects", {"name": "seat-12"})

    response = post("/atomic-effects", {"name": "seat-14"})

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert list(Effect.objects.values_list("name", flat=True)) == ["seat-12"]


@pytest.mark.django_db
def test_a_missing_key_is_refused_with_400_and_runs_nothing():
    response = post("/atomic-effects", {"name": "seat-12"}, key=None)

    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_missing"
    assert (Effect.objects.count(), IdempotencyRecord.objects.count()) == (0, 0)


@pytest.mark.django_db
def test_a_4xx_answer_is_stored_and_replayed():
    first = post("/atomic-effects", {"name": ""})

    again = post("/atomic-effects", {"name": ""})

    assert (first.status_code, first.json()["code"]) == (422, "validation_failed")
    assert (again.status_code, again.content, again["Idempotent-Replayed"]) == (422, first.content, "true")
    assert Effect.objects.count() == 0
    assert IdempotencyRecord.objects.get().response_status == 422


@pytest.mark.django_db
def test_an_answer_not_stored_rolls_back_the_writes_with_the_claim_so_a_retry_runs_once():
    failed = post("/atomic-effects-unavailable", {"name": "seat-12"})
    after_failure = (Effect.objects.count(), IdempotencyRecord.objects.count())
    Effect.objects.create(name="ready")

    retried = post("/atomic-effects-unavailable", {"name": "seat-12"})

    assert failed.status_code == 503
    assert after_failure == (0, 0)
    assert retried.status_code == 201
    assert "Idempotent-Replayed" not in retried
    assert list(Effect.objects.exclude(name="ready").values_list("name", flat=True)) == ["seat-12"]


@pytest.mark.django_db(transaction=True)
def test_the_same_request_while_the_first_runs_waits_for_its_commit_and_replays_it(gate):
    with ThreadPoolExecutor(max_workers=2) as pool:
        first = pool.submit(post_on_own_connection, "/atomic-effects-gated", {"name": "seat-12"})
        assert gate.await_arrival()
        second = pool.submit(post_on_own_connection, "/atomic-effects-gated", {"name": "seat-12"})
        waiting = _a_claim_waits_on_the_key()
        effects_while_running = Effect.objects.count()
        gate.opened.set()
        first_response, second_response = first.result(), second.result()

    assert waiting
    assert effects_while_running == 0  # the first request's effect is not committed before its answer
    assert first_response.status_code == 201
    assert (second_response.status_code, second_response["Idempotent-Replayed"]) == (201, "true")
    assert second_response.content == first_response.content
    assert Effect.objects.count() == 1
    assert IdempotencyRecord.objects.get().state == "done"


@pytest.mark.django_db(transaction=True)
def test_the_same_request_still_running_past_the_wait_gets_409_with_retry_after(gate, settings):
    settings.TRANSPORT_IDEMPOTENCY_WAIT_MS = 200
    with ThreadPoolExecutor(max_workers=1) as pool:
        first = pool.submit(post_on_own_connection, "/atomic-effects-gated", {"name": "seat-12"})
        assert gate.await_arrival()
        second = post("/atomic-effects-gated", {"name": "seat-12"})
        effects_while_running = Effect.objects.count()
        gate.opened.set()
        first_response = first.result()
    third = post("/atomic-effects-gated", {"name": "seat-12"})

    assert second.status_code == 409
    assert second["Retry-After"] == "1"
    assert second["Content-Type"] == "application/problem+json"
    assert second.json()["code"] == "idempotency_request_in_progress"
    assert effects_while_running == 0
    assert first_response.status_code == 201
    assert (third.status_code, third.content, third["Idempotent-Replayed"]) == (201, first_response.content, "true")
    assert Effect.objects.count() == 1
