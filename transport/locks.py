"""Short Redis locks that keep contended work cheap; the database stays the final guard.

    with resource_lock("seat", trip_id, seat_no):
        ...

Every lock expires (TRANSPORT_LOCK_EXPIRE_SECONDS) so a crashed holder never blocks others for long.
With TRANSPORT_LOCKS_ENABLED off, no lock is taken, so tests can prove the database guard alone holds.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from functools import cache

import redis
import redis_lock
from django.conf import settings

from transport.errors import Conflict, ServiceUnavailable

# a lock wait is a blocking Redis call of up to the lock's expiry: the socket must outwait it, or a wait that
# runs its full length ends in a socket timeout instead of a clean "busy"
SOCKET_SLACK_SECONDS = 5
CONNECT_TIMEOUT_SECONDS = 2


@cache
def _client(url: str, wait_ceiling: int) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=wait_ceiling + SOCKET_SLACK_SECONDS,
                                socket_connect_timeout=CONNECT_TIMEOUT_SECONDS)


def lock_client() -> redis.Redis:
    return _client(settings.REDIS_URL, settings.TRANSPORT_LOCK_EXPIRE_SECONDS)


def lock_name(kind: str, *parts: object) -> str:
    return ":".join(["lock", kind, *(str(p) for p in parts)])


@contextmanager
def resource_lock(kind: str, *parts: object, wait_seconds: int = 5, expire: int | None = None) -> Iterator[None]:
    """Hold the lock on one resource; raise Conflict if it cannot be had within `wait_seconds`
    (whole seconds, at most the expiry: python-redis-lock's rule; 0 means do not wait), and
    ServiceUnavailable if Redis does not answer."""
    if not settings.TRANSPORT_LOCKS_ENABLED:
        yield
        return
    expire = expire or settings.TRANSPORT_LOCK_EXPIRE_SECONDS
    lock = redis_lock.Lock(lock_client(), lock_name(kind, *parts), expire=expire, auto_renewal=False)
    wait = min(max(0, math.ceil(wait_seconds)), expire)
    try:
        acquired = lock.acquire(blocking=True, timeout=wait) if wait else lock.acquire(blocking=False)
    except redis.RedisError as exc:
        raise ServiceUnavailable("The lock service does not answer.", code="locks_unavailable") from exc
    if not acquired:
        raise Conflict(f"{kind} is busy, try again.", code="resource_busy")
    try:
        yield
    finally:
        # NotAcquired: it expired while we held it; the database guard covered us
        with suppress(redis_lock.NotAcquired, redis.RedisError):
            lock.release()
