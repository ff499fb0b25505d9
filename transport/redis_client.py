"""The shared Redis client for quick reads and writes (revocation marks, rate counters, live positions): short
timeouts, so a Redis that stops answering fails a request quickly instead of holding a worker. Lock waits use
their own client (transport.locks), whose socket must outwait a lock."""

from __future__ import annotations

from functools import cache

import redis
from django.conf import settings

TIMEOUT_SECONDS = 1


@cache
def client_for(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=TIMEOUT_SECONDS, socket_connect_timeout=TIMEOUT_SECONDS)


def quick_client() -> redis.Redis:
    return client_for(settings.REDIS_URL)
