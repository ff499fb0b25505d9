"""Abuse limits: fixed-window counters in Redis, per account or identifier and per client address.

The strict limits count per account or identifier (an email, a phone): that is what an attacker
hammers, from however many addresses. Per-address limits are generous, because carrier-grade NAT puts
thousands of passengers on African mobile networks behind one address; they only stop a flood.

One Lua script increments every counter of an attempt and sets its window on first use, atomically,
so concurrent attempts can never slip past the limit. Limits are tuned by settings.AUTH_RATE_LIMITS:
{action: {"account": attempts, "address": attempts, "window": seconds}}.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
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


def _account(value: str) -> str:
    """The account an identifier names, however it is written: any case, a phone's separators left out."""
    value = value.strip().lower()
    return re.sub(r"[\s\-()]", "", value) if value.startswith("+") else value


def hit(action: str, *, accounts: Iterable[str | None] = (), client_address: str | None = None) -> None:
    """Count one attempt against each account or identifier named and the client address; raise
    LimitExceeded (with the seconds to wait) once any counter passes its limit."""
    limits = settings.AUTH_RATE_LIMITS[action]
    counted = sorted({(_account(value), "account") for value in accounts if value and value.strip()})
    if client_address:
        counted.append((client_address, "address"))
    if not counted:
        return
    keys = [_key(action, dimension, value) for value, dimension in counted]
    try:
        replies = _script(settings.REDIS_URL)(keys=keys, args=[limits["window"]])
    except redis.RedisError as exc:
        raise ServiceUnavailable("The rate limiter does not answer.", code="ratelimit_unavailable") from exc
    over = []
    first_refusal = False
    for (_value, dimension), n, ttl in zip(counted, replies[0::2], replies[1::2], strict=True):
        if int(n) > limits[dimension]:
            over.append(int(ttl))
            first_refusal = first_refusal or int(n) == limits[dimension] + 1
    if first_refusal:  # log the first refusal of each window, not every one of a flood
        account = next((value for value, dimension in counted if dimension == "account"), "")
        audit.record(audit.Kind.RATE_LIMITED, client_address=client_address, action=action, account=account[:100])
    if over:
        raise LimitExceeded("Too many attempts; try again later.", retry_after=max(max(over), 1))
