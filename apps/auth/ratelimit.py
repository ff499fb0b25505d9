"""Abuse limits: fixed-window counters in Redis, per account and per client address.

One Lua script increments every counter of an attempt and sets its window on first use, atomically,
so concurrent attempts can never slip past the limit. Limits are tuned by settings.AUTH_RATE_LIMITS.
"""

from __future__ import annotations

import hashlib
from functools import cache

import redis
from django.conf import settings

from apps.auth import audit
from apps.auth.redis_client import client
from transport.errors import LimitExceeded, ServiceUnavailable

_COUNT = """
local result = {}
for i, key in ipairs(KEYS) do
    local n = redis.call('INCR', key)
    if n == 1 then redis.call('EXPIRE', key, ARGV[1]) end
    local ttl = redis.call('TTL', key)
    if ttl < 0 then redis.call('EXPIRE', key, ARGV[1]); ttl = tonumber(ARGV[1]) end
    result[#result + 1] = n
    result[#result + 1] = ttl
end
return result
"""


@cache
def _script(url: str):
    return client(url).register_script(_COUNT)


def key_prefix() -> str:
    return f"{settings.CACHES['default'].get('KEY_PREFIX', 'transport')}:ratelimit"


def _key(action: str, dimension: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"{key_prefix()}:{action}:{dimension}:{digest}"


def hit(action: str, *, account: str | None = None, client_address: str | None = None) -> None:
    """Count one attempt; raise LimitExceeded (with the seconds to wait) once a counter passes its limit."""
    limit, window = settings.AUTH_RATE_LIMITS[action]
    dimensions = {"account": account, "address": client_address}
    keys = [_key(action, dimension, value) for dimension, value in dimensions.items() if value]
    if not keys:
        return
    try:
        counts = _script(settings.REDIS_URL)(keys=keys, args=[window])
    except redis.RedisError as exc:
        raise ServiceUnavailable("The rate limiter does not answer.", code="ratelimit_unavailable") from exc
    attempts = [int(n) for n in counts[0::2]]
    waits = [int(ttl) for n, ttl in zip(attempts, counts[1::2], strict=True) if n > limit]
    if limit + 1 in attempts:  # log the first refusal of each window, not every one of a flood
        audit.record(audit.Kind.RATE_LIMITED, client_address=client_address, action=action,
                     account=(account or "")[:100])
    if waits:
        raise LimitExceeded("Too many attempts; try again later.", retry_after=max(max(waits), 1))
