"""Claims on Idempotency-Keys: one atomic INSERT ... ON CONFLICT decides which request runs.

    claim = store.claim(scope=..., key=..., request_hash=...)
    if claim.outcome is Outcome.CLAIMED:
        ...run the request...
        store.complete(claim, status=201, body=b"...", headers={...})   # or store.release(claim)

There is no select-then-insert: the INSERT either creates the claim, takes over one that is expired
or whose holder died (a "running" claim older than TRANSPORT_IDEMPOTENCY_STALE_SECONDS), or does
nothing; only then is the existing row read, to tell a replay from a reuse or a request still running.
Times come from the database clock (statement time, as Django's Now()), so web servers with skewed clocks agree.

`claim_in_transaction` is the same claim made inside the request's own transaction, for a request whose whole
effect is in this database: the claim, the effect and the stored answer commit together, or not at all. A
concurrent request with the same key waits on the key's unique index until that transaction ends (at most
TRANSPORT_IDEMPOTENCY_WAIT_MS), then replays the answer or, after a rollback, claims the key itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import psycopg.errors
from django.conf import settings
from django.db import OperationalError, connection
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.db.models.functions import Now

from transport.idempotency.models import IdempotencyRecord

# Between the INSERT and the read the row may vanish (released) or turn expired/stale; the claim is then
# tried again. Two rounds settle it in practice; past the limit the caller is told to retry.
_ROUNDS = 3

_TABLE = connection.ops.quote_name(IdempotencyRecord._meta.db_table)

# A key whose record expired, or whose request is still "running" long past any request's life (its process
# died), is taken over by the new request; any other existing key leaves the row as it is.
_TAKE_OVER = """ON CONFLICT (scope, key) DO UPDATE SET
    request_hash = EXCLUDED.request_hash,
    state = EXCLUDED.state,
    response_status = NULL,
    response_body = NULL,
    response_headers = EXCLUDED.response_headers,
    created_at = EXCLUDED.created_at,
    completed_at = NULL,
    expires_at = EXCLUDED.expires_at
WHERE existing.expires_at < statement_timestamp()
   OR (existing.state = %(running)s
       AND existing.request_hash = EXCLUDED.request_hash
       AND existing.created_at < statement_timestamp() - make_interval(secs => %(stale_seconds)s))"""

_CLAIM_SQL = f"""
INSERT INTO {_TABLE} AS existing
    (scope, key, request_hash, state, response_headers, created_at, expires_at)
VALUES (%(scope)s, %(key)s, %(request_hash)s, %(running)s, '{{}}'::jsonb, statement_timestamp(),
        statement_timestamp() + make_interval(hours => %(ttl_hours)s))
{_TAKE_OVER}
RETURNING id, created_at
"""  # noqa: S608 - the one interpolation is the model's own table name, quoted

# The same claim, its wait on a concurrent holder of the key bounded: the SELECT's WHERE (volatile, evaluated
# before its row is inserted) sets lock_timeout for the insert, and RETURNING (evaluated after it) puts back
# what the transaction had, so the request's own work keeps its own bound. One round trip.
_CLAIM_WAITING_SQL = f"""
INSERT INTO {_TABLE} AS existing
    (scope, key, request_hash, state, response_headers, created_at, expires_at)
SELECT %(scope)s, %(key)s, %(request_hash)s, %(running)s, '{{}}'::jsonb, statement_timestamp(),
       statement_timestamp() + make_interval(hours => %(ttl_hours)s)
WHERE set_config('transport.lock_timeout_outside_claim', current_setting('lock_timeout'), true) IS NOT NULL
  AND set_config('lock_timeout', %(wait)s, true) IS NOT NULL
{_TAKE_OVER}
RETURNING id, created_at, set_config('lock_timeout', current_setting('transport.lock_timeout_outside_claim'), true)
"""  # noqa: S608 - the one interpolation is the model's own table name, quoted


class Outcome(StrEnum):
    CLAIMED = "claimed"  # this request runs; complete() or release() the claim afterwards
    REPLAY = "replay"  # the same request already finished: answer with its stored response
    MISMATCH = "mismatch"  # the key was used for a different request
    IN_PROGRESS = "in_progress"  # the same request is still running elsewhere


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: bytes
    headers: dict[str, str]


@dataclass(frozen=True)
class Claim:
    outcome: Outcome
    record_id: int | None = None
    # the claim's generation: a takeover keeps the row but gets a new created_at, so a slow former
    # holder can no longer complete or release what is now someone else's claim
    claimed_at: datetime | None = None
    response: StoredResponse | None = None


def claim(*, scope: str, key: str, request_hash: str) -> Claim:
    """Claim (scope, key) for a request whose method, path and body hash to `request_hash`."""
    return _claim_in_rounds(scope=scope, key=key, request_hash=request_hash, wait_ms=None)


class ClaimWaitExceeded(Exception):  # noqa: N818 (an outcome the caller answers, not a fault)
    """The key's holder did not end its transaction within TRANSPORT_IDEMPOTENCY_WAIT_MS: it is still running."""


def claim_in_transaction(*, scope: str, key: str, request_hash: str) -> Claim:
    """Claim (scope, key) inside the caller's open transaction (see the module's doc); never IN_PROGRESS for a
    holder that claimed the same way, whose claim is seen only once it committed with its answer.

    Raises ClaimWaitExceeded when a concurrent holder kept the key past the wait; the caller's transaction is
    then aborted and must be left.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("claim_in_transaction needs the request's transaction open (transaction.atomic).")
    try:
        return _claim_in_rounds(scope=scope, key=key, request_hash=request_hash,
                                wait_ms=settings.TRANSPORT_IDEMPOTENCY_WAIT_MS)
    except OperationalError as exc:
        if isinstance(exc.__cause__, psycopg.errors.LockNotAvailable):
            raise ClaimWaitExceeded() from exc
        raise


def _claim_in_rounds(*, scope: str, key: str, request_hash: str, wait_ms: int | None) -> Claim:
    for _ in range(_ROUNDS):
        claimed = _insert_or_take_over(scope=scope, key=key, request_hash=request_hash, wait_ms=wait_ms)
        if claimed is not None:
            return claimed
        decided = _decide_from_existing(scope=scope, key=key, request_hash=request_hash)
        if decided is not None:
            return decided
    return Claim(outcome=Outcome.IN_PROGRESS)


def complete(claim: Claim, *, status: int, body: bytes, headers: dict[str, str]) -> bool:
    """Store the response of a claimed request for replays; False if the claim was no longer ours."""
    updated = _owned(claim).update(
        state=IdempotencyRecord.DONE,
        response_status=status,
        response_body=body,
        response_headers=headers,
        completed_at=Now(),
    )
    return updated == 1


def release(claim: Claim) -> bool:
    """Forget a claim whose request failed in a way worth retrying; False if it was no longer ours."""
    deleted, _ = _owned(claim).delete()
    return deleted == 1


def _insert_or_take_over(*, scope: str, key: str, request_hash: str, wait_ms: int | None = None) -> Claim | None:
    params: dict[str, str | int] = {
        "scope": scope,
        "key": key,
        "request_hash": request_hash,
        "running": IdempotencyRecord.RUNNING,
        "ttl_hours": settings.TRANSPORT_IDEMPOTENCY_TTL_HOURS,
        "stale_seconds": settings.TRANSPORT_IDEMPOTENCY_STALE_SECONDS,
        "wait": f"{wait_ms}ms",
    }
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM_SQL if wait_ms is None else _CLAIM_WAITING_SQL, params)
        row = cursor.fetchone()
    if row is None:
        return None
    return Claim(outcome=Outcome.CLAIMED, record_id=row[0], claimed_at=row[1])


def _decide_from_existing(*, scope: str, key: str, request_hash: str) -> Claim | None:
    """What the row that blocked our INSERT says; None when the claim should simply be tried again."""
    stale_before = Now() - timedelta(seconds=settings.TRANSPORT_IDEMPOTENCY_STALE_SECONDS)
    record = (
        IdempotencyRecord.objects.filter(scope=scope, key=key)
        .annotate(
            expired=ExpressionWrapper(Q(expires_at__lt=Now()), output_field=BooleanField()),
            stale=ExpressionWrapper(Q(created_at__lt=stale_before), output_field=BooleanField()),
        )
        .first()
    )
    if record is None or record.expired:
        return None
    if record.request_hash != request_hash:
        return Claim(outcome=Outcome.MISMATCH, record_id=record.id)
    if record.state == IdempotencyRecord.DONE:
        assert record.response_status is not None  # complete() writes the state and the status together
        response = StoredResponse(
            status=record.response_status,
            body=bytes(record.response_body or b""),
            headers=dict(record.response_headers),
        )
        return Claim(outcome=Outcome.REPLAY, record_id=record.id, response=response)
    if record.stale:
        return None
    return Claim(outcome=Outcome.IN_PROGRESS, record_id=record.id)


def _owned(claim: Claim) -> QuerySet[IdempotencyRecord]:
    if claim.outcome is not Outcome.CLAIMED or claim.record_id is None or claim.claimed_at is None:
        raise ValueError(f"Only a claimed request can be completed or released, not one that is {claim.outcome}.")
    return IdempotencyRecord.objects.filter(
        id=claim.record_id, created_at=claim.claimed_at, state=IdempotencyRecord.RUNNING
    )
