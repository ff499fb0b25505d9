"""Identity's one Redis client (revocation marks, rate counters): short timeouts, so a Redis that stops
answering fails a request quickly instead of holding a worker."""

from __future__ import annotations

from functools import cache

import redis

TIMEOUT_SECONDS = 1


@cache
def client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=TIMEOUT_SECONDS, socket_connect_timeout=TIMEOUT_SECONDS)
