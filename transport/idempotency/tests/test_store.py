"""The claim store on its own: one INSERT ... ON CONFLICT decides, and takeovers are atomic."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from transport.idempotency import store
from transport.idempotency.models import IdempotencyRecord
from transport.idempotency.store import Outcome

pytestmark = pytest.mark.django_db

SCOPE = "user:1 POST /bookings"


def test_a_new_key_is_claimed_with_one_insert_on_conflict_statement():
    with CaptureQueriesContext(connection) as queries:
        claim = store.claim(scope=SCOPE, key="k1", request_hash="a" * 64)

    assert claim.outcome is Outcome.CLAIMED
    assert len(queries.captured_queries) == 1
    sql = queries.captured_queries[0]["sql"]
    assert sql.lstrip().startswith("INSERT INTO")
    assert "ON CONFLICT (scope, key) DO UPDATE" in sql
    record = IdempotencyRecord.objects.get()
    assert (record.id, record.created_at) == (claim.record_id, claim.claimed_at)
    assert (record.scope, record.key, record.request_hash, record.state) == (SCOPE, "k1", "a" * 64, "running")
    assert record.expires_at - record.created_at == timedelta(hours=24)


def test_a_taken_key_is_decided_by_the_insert_and_one_read_without_writing(django_assert_num_queries):
    first = store.claim(scope=SCOPE, key="k1", request_hash="a" * 64)
    store.complete(first, status=201, body=b'{"id": 1}', headers={"Content-Type": "application/json"})

    with django_assert_num_queries(2) as queries:
        again = store.claim(scope=SCOPE, key="k1", request_hash="a" * 64)

    assert queries.captured_queries[1]["sql"].lstrip().startswith("SELECT")
    assert again.outcome is Outcome.REPLAY
    assert again.response == store.StoredResponse(
        status=201, body=b'{"id": 1}', headers={"Content-Type": "application/json"}
    )
    record = IdempotencyRecord.objects.get()
    assert (record.created_at, record.state) == (first.claimed_at, "done")


def test_the_same_key_with_another_hash_is_a_mismatch_and_changes_nothing():
    first = store.claim(scope=SCOPE, key="k1", request_hash="a" * 64)
    store.complete(first, status=201, body=b"{}", headers={})

    claim = store.claim(scope=SCOPE, key="k1", request_hash="b" * 64)

    assert claim.outcome is Outcome.MISMATCH
    record = IdempotencyRecord.objects.get()
    assert (record.request_hash, record.state, record.response_status) == ("a" * 64, "done", 201)


def test_the_same_request_while_the_first_still_runs_is_in_progress():
    store.claim(scope=SCOPE, key="k1", request_hash="a" * 64)

    claim = store.claim(scope=SCOPE, key="k1", request_hash="a" * 64)

    assert claim.outcome is Outcome.IN_PROGRESS
    assert IdempotencyRecord.objects.get().state == "running"


def test_the_same_key_in_another_scope_is_a_separate_claim():
    store.claim(scope=SCOPE, key="k1", request_hash="a" * 64)

    claim = store.claim(scope="user:2 POST /bookings", key="k1", request_hash="a" * 64)

    assert claim.outcome is Outcome.CLAIMED
    assert IdempotencyRecord.objects.count() == 2


def test_an_expired_record_is_taken_over_even_for_another_request():
    first = store.claim(scope=SCOPE, key="k1", request_hash="a" * 64)
    store.complete(first, status=201, body=b"old", headers={"X-Old": "1"})
    IdempotencyRecord.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    claim = store.claim(scope=SCOPE, key="k1", request_hash="b" * 64)

    assert claim.outcome is Outcome.CLAIMED
    assert claim.record_id == first.record_id
    assert claim.claimed_at != first.claimed_at
    record = IdempotencyRecord.objects.get()
    assert (record.request_hash, record.state) == ("b" * 64, "running")
    assert (record.response_status, record.response_body, record.response_headers) == (None, None, {})
    assert record.completed_at is None
    assert record.expires_at > timezone.now() + timedelta(hours=23)


def test_a_stale_running_claim_is_taken_over_by_the_same_request():
    first = store.claim(scope=SCOPE, key="k1", request_hash="a" * 64)
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(seconds=61))

    claim = store.claim(scope=SCOPE, key="k1", request_hash="a" * 64)

    assert claim.outcome is Outcome.CLAIMED
    assert claim.record_id == first.record_id
    assert IdempotencyRecord.objects.get().created_at == claim.claimed_at


def test_a_running_claim_younger_than_the_stale_timeout_is_not_taken_over():
    first = store.claim(scope=SCOPE, key="k1", request_hash="a" * 64)
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(seconds=50))
    before = IdempotencyRecord.objects.get().created_at

    claim = store.claim(scope=SCOPE, key="k1", request_hash="a" * 64)

    assert claim.outcome is Outcome.IN_PROGRESS
    assert claim.record_id == first.record_id
    assert IdempotencyRecord.objects.get().created_at == before


def test_a_stale_running_claim_is_not_taken_over_by_another_request():
    store.claim(scope=SCOPE, key="k1", request_hash="a" * 64)
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(seconds=61))

    claim = store.claim(scope=SCOPE, key="k1", request_hash="b" * 64)

    assert claim.outcome is Outcome.MISMATCH
    assert IdempotencyRecord.objects.get().request_hash == "a" * 64


def test_a_former_holder_can_neither_complete_nor_release_a_claim_taken_over():
    former = store.claim(scope=SCOPE, key="k1", request_hash="a" * 64)
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(seconds=61))
    current = store.claim(scope=SCOPE, key="k1", request_hash="a" * 64)

    completed = store.complete(former, status=201, body=b"late", headers={})
    released = store.release(former)

    assert (completed, released) == (False, False)
    record = IdempotencyRecord.objects.get()
    assert (record.state, record.created_at, record.response_body) == ("running", current.claimed_at, None)


def test_complete_stores_the_response_for_replay():
    claim = store.claim(scope=SCOPE, key="k1", request_hash="a" * 64)

    completed = store.complete(claim, status=422, body=b'{"code": "x"}', headers={"Content-Type": "a/b"})

    assert completed is True
    record = IdempotencyRecord.objects.get()
    assert (record.state, record.response_status, bytes(record.response_body)) == ("done", 422, b'{"code": "x"}')
    assert record.response_headers == {"Content-Type": "a/b"}
    assert record.completed_at is not None


def test_release_deletes_the_claim_so_the_request_may_run_again():
    claim = store.claim(scope=SCOPE, key="k1", request_hash="a" * 64)

    released = store.release(claim)
    again = store.claim(scope=SCOPE, key="k1", request_hash="a" * 64)

    assert released is True
    assert again.outcome is Outcome.CLAIMED
    assert IdempotencyRecord.objects.count() == 1


def test_only_a_claimed_request_can_be_completed():
    store.claim(scope=SCOPE, key="k1", request_hash="a" * 64)
    in_progress = store.claim(scope=SCOPE, key="k1", request_hash="a" * 64)

    with pytest.raises(ValueError, match="Only a claimed request"):
        store.complete(in_progress, status=201, body=b"", headers={})

    assert IdempotencyRecord.objects.get().state == "running"
