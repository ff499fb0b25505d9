"""Real threads in race tests, with every wait bounded: a guard that deadlocks or a thread that dies before
a barrier fails its test instead of stalling the whole run.

The bound is a liveness limit, far above any healthy run on a busy machine, not a timing assertion.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

WAIT_BOUND_SECONDS = 120.0


def barrier(parties: int) -> threading.Barrier:
    """A barrier that breaks (BrokenBarrierError in every waiter) rather than wait for a party that never comes."""
    return threading.Barrier(parties, timeout=WAIT_BOUND_SECONDS)


def run_threads(threads: Sequence[threading.Thread]) -> None:
    """Start every thread, then join them all within one bound; fail naming those still running after it."""
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + WAIT_BOUND_SECONDS
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    stuck = [thread.name for thread in threads if thread.is_alive()]
    if stuck:
        raise AssertionError(f"still running after {WAIT_BOUND_SECONDS:.0f}s: {', '.join(stuck)}")
