"""The one seat guard: every writer of a trip's seat rows writes inside `seat_guard`, so all of them take the
same locks in the same order and meet a taken seat the same way. Holds, allotments, confirmations (whatever
confirms: staff, a POS sale, a payment that succeeded), POS sales and reseating go through it; a new writer
needs nothing but a call to it.

The exclusion constraint on SeatHold is the guard that cannot fail; the locks only keep contention cheap and
make writers that run inside a longer transaction (a POS sale holds, then confirms) queue instead of
deadlocking. `seat_guard` is the lock order, stated once: its numbered steps, taken by every writer.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import psycopg.errors
from django.db import IntegrityError, OperationalError, connection, transaction

from apps.ticketing import policy
from apps.ticketing.inventory import services as inventory
from transport.errors import Conflict


@dataclass(frozen=True)
class Taking:
    """The stretch a writer takes seats on, as of `now` (what counts as lapsed)."""

    from_sequence: int
    to_sequence: int
    now: datetime


# Retry-After of a seat_busy answer: the writer ahead of it holds its locks for milliseconds, not seconds
BUSY_RETRY_AFTER_SECONDS = 1


@contextmanager
def seat_guard(*, trip_id: UUID, seat_labels: Collection[str], taking: Taking | None = None,
               refuse_taken: bool = True, queue_key: str | None = None,
               own_allotment_ids: Collection[UUID] = ()) -> Iterator[None]:
    """Run the block as the writer of these seats, in a transaction (a savepoint inside an outer one).

    taking: the stretch the writer takes the seats on: lapsed holds in the way are expired first and,
    with `refuse_taken`, seats live on it are refused before the transaction begins (a confirmation, which
    turns its own rows, passes False). Without a stretch only the locks are taken (an outer transaction that
    holds the seats while nested writers do the rest, or a writer that moves rows it holds already).
    queue_key: a key locked before the seats, to queue work that must not run concurrently (one holder's
    holds, counted against a limit). own_allotment_ids: the selling device's allotments, free to it.

    Raises Conflict seat_taken when the database refuses an overlapping row, and Conflict seat_busy (with
    Retry-After) when a lock is not had within TICKETING_SEAT_LOCK_TIMEOUT_MS; nothing is written then.
    """
    labels = sorted(set(seat_labels))
    lapsed_in_the_way = True
    # 1. the seats' Redis locks, in label order (done without when Redis is busy or down: they only save work)
    with inventory.seat_locks(trip_id, labels):
        # 2. a writer of new rows refuses seats already live on the stretch before its transaction begins; the
        # same read tells whether a lapsed hold stands in the way (a hold lapsing later than `now` is not one)
        if taking is not None and refuse_taken:
            lapsed_in_the_way = inventory.seats_refuse_if_taken(
                trip_id=trip_id, seat_labels=labels, from_sequence=taking.from_sequence,
                to_sequence=taking.to_sequence, now=taking.now, own_allotment_ids=own_allotment_ids)
        try:
            with transaction.atomic():
                # 3. every lock wait bounded, then the queue key and the seats' advisory locks, in label order
                _database_locks([*([queue_key] if queue_key else []), *inventory.seat_lock_keys(trip_id, labels)])
                # 4. lapsed holds in the way expired (their bookings row-locked in id order)
                if taking is not None and lapsed_in_the_way:
                    inventory.lapsed_holds_expire(trip_id=trip_id, seat_labels=labels,
                                                  from_sequence=taking.from_sequence,
                                                  to_sequence=taking.to_sequence, now=taking.now)
                # 5. the writer's own row locks and rows; the exclusion constraint judges every row
                yield
        except IntegrityError as exc:
            if inventory.is_overlap_violation(exc):
                raise inventory.seat_taken(labels) from None
            raise
        except OperationalError as exc:
            if isinstance(exc.__cause__, psycopg.errors.LockNotAvailable):
                raise seat_busy(labels) from None
            raise


def seat_busy(seat_labels: list[str]) -> Conflict:
    seats = ", ".join(seat_labels)
    return Conflict(f"Seat {seats} is being sold right now; try again shortly.", code="seat_busy",
                    retry_after=BUSY_RETRY_AFTER_SECONDS)


def _database_locks(keys: list[str]) -> None:
    """Bound every lock wait of the transaction, then take the advisory locks of `keys` in the order given.

    One statement: its WHERE clause (no column in it, but volatile, so evaluated for the first row before the
    first lock is asked for) sets lock_timeout for the rest of the transaction.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(pg_advisory_xact_lock(hashtextextended(key, 0))) FROM unnest(%s::text[]) AS key "
                       "WHERE set_config('lock_timeout', %s, true) IS NOT NULL",
                       [keys, f"{policy.seat_lock_timeout_ms()}ms"])
