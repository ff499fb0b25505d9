"""Running many attempts at the same moment from real threads, each with its own database connection."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import TypeVar

from django.db import connection

from transport.testing.threads import barrier as bounded_barrier
from transport.testing.threads import run_threads

T = TypeVar("T")

# the shared PostgreSQL allows about a hundred connections, so the attempts share a bounded set of threads
MAX_THREADS = int(os.environ.get("TICKETING_RACE_THREADS", "50"))


def race(attempts: int, attempt: Callable[[int], T], *, threads: int = MAX_THREADS) -> list[T]:
    """Run attempt(0..attempts-1) from min(attempts, threads) threads released together by a barrier."""
    threads = min(attempts, threads)
    barrier = bounded_barrier(threads)
    results: list[T] = []
    lock = threading.Lock()

    def worker(first: int) -> None:
        try:
            barrier.wait()
            for number in range(first, attempts, threads):
                outcome = attempt(number)
                with lock:
                    results.append(outcome)
        finally:
            connection.close()

    started = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    run_threads(started)
    return results
