import threading
import uuid

import pytest

from transport.errors import Conflict, ServiceUnavailable
from transport.locks import lock_client, lock_name, resource_lock
from transport.testing.threads import run_threads


@pytest.fixture
def seat():
    trip_id = uuid.uuid4()
    yield ("seat", trip_id, "12A")
    lock_client().delete(lock_name("seat", trip_id, "12A"), f"lock-signal:{lock_name('seat', trip_id, '12A')}")


def test_a_held_lock_is_in_redis_with_an_expiry(seat, settings):
    settings.TRANSPORT_LOCK_EXPIRE_SECONDS = 7

    with resource_lock(*seat):
        ttl = lock_client().ttl(f"lock:{lock_name(*seat)}")

    assert 0 < ttl <= 7
    assert lock_client().exists(f"lock:{lock_name(*seat)}") == 0  # released on exit


def test_a_second_holder_waits_then_gets_conflict_when_the_lock_stays_busy(seat):
    with resource_lock(*seat), pytest.raises(Conflict) as refused, resource_lock(*seat, wait_seconds=1):
        pytest.fail("two holders of one lock")

    assert refused.value.code == "resource_busy"
    assert refused.value.status == 409


def test_the_lock_serialises_concurrent_holders(seat):
    inside = 0
    overlaps = 0
    guard = threading.Lock()

    def hold() -> None:
        nonlocal inside, overlaps
        with resource_lock(*seat, wait_seconds=10):
            with guard:
                inside += 1
                overlaps += inside > 1
            threading.Event().wait(0.01)
            with guard:
                inside -= 1

    threads = [threading.Thread(target=hold) for _ in range(8)]
    run_threads(threads)

    assert overlaps == 0


def test_with_locking_disabled_no_lock_is_taken(seat, settings):
    settings.TRANSPORT_LOCKS_ENABLED = False

    with resource_lock(*seat), resource_lock(*seat, wait_seconds=0):
        held = lock_client().exists(f"lock:{lock_name(*seat)}")

    assert held == 0


def test_without_waiting_a_busy_lock_is_refused_at_once(seat):
    with resource_lock(*seat), pytest.raises(Conflict), resource_lock(*seat, wait_seconds=0):
        pytest.fail("two holders of one lock")


def test_a_lock_that_expired_while_held_is_released_without_error(seat):
    with resource_lock(*seat):
        lock_client().delete(f"lock:{lock_name(*seat)}")  # as if it had expired

    assert lock_client().exists(f"lock:{lock_name(*seat)}") == 0


def test_a_wait_that_runs_its_full_length_ends_busy_not_in_a_socket_timeout(seat, settings):
    # the wait (5 s) is as long as redis-py's default socket timeout: the client must outwait its own call
    settings.TRANSPORT_LOCK_EXPIRE_SECONDS = 10
    with resource_lock(*seat), pytest.raises(Conflict) as refused, resource_lock(*seat, wait_seconds=5):
        pytest.fail("two holders of one lock")

    assert refused.value.code == "resource_busy"


def test_an_unreachable_redis_is_a_503_not_a_crash(seat, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there

    with pytest.raises(ServiceUnavailable) as refused, resource_lock(*seat, wait_seconds=1):
        pytest.fail("a lock without Redis")

    assert (refused.value.status, refused.value.code) == (503, "locks_unavailable")
