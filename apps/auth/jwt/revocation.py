"""What makes a signed access token's claims stale before it expires, shared by every process through Redis.

An access token carries its user's roles, so a bearer request needs no database. Two things can make
those claims wrong before the token expires (at most 15 minutes):

- the user changed: deactivated, deleted, or their memberships or global roles changed. The user id
  goes into a sorted set with the time of the change; a token whose roles were read at or before that
  time is then resolved from the database (which refuses an inactive user and knows the current roles).
  Both times come from the Redis server's clock, so web servers whose clocks disagree cannot let a
  token read before a change pass as read after it.
- a role's bundle of permissions changed: the version (a random token) is replaced and every process
  reloads the role -> permissions table (see role_bundles.py).

Each process reads both with one Redis round trip at most once per `AUTH_REVOCATION_CHECK_SECONDS`
(default 1 s), so a change reaches every process within that time, and the process that made it at
once. Marks older than the longest access-token lifetime are pruned: no token they could stop is alive.
If Redis cannot be read, every bearer request falls back to the database until it can.
"""

from __future__ import annotations

import math
import time
import uuid
from dataclasses import dataclass, field
from functools import cache
from uuid import UUID

import redis
from django.conf import settings

from apps.auth.redis_client import client

# a mark outlives every token issued before it by this much, for clocks that disagree a little
_LEEWAY_SECONDS = 60
# an incremental read looks this far behind the newest mark it knows
_OVERLAP_SECONDS = 5


def _key(name: str) -> str:
    return f"{settings.CACHES['default'].get('KEY_PREFIX', 'transport')}:identity:{name}"


def _horizon_seconds() -> float:
    return settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"].total_seconds() + _LEEWAY_SECONDS


def marks_kept_seconds() -> int:
    """How long a mark is kept: whatever is checked against the marks must not be cached longer."""
    return math.floor(_horizon_seconds())


@dataclass(frozen=True)
class Snapshot:
    bundles_version: str  # random, so a Redis that lost the key never repeats a version a process holds
    changed_users: dict[str, float] = field(default_factory=dict)  # user id -> unix time of the last change
    # the latest mark read from Redis (not made here): the next read asks only for marks since then
    newest: float = -math.inf

    def claims_are_current(self, *, user_id: str, roles_read_at: float) -> bool:
        return self.changed_users.get(user_id, -math.inf) < roles_read_at


class LocalCopy:
    """A process's copy of the shared marks, refreshed from Redis at most once per interval."""

    def __init__(self) -> None:
        self.snapshot: Snapshot | None = None
        self.read_at = -math.inf

    def current(self) -> Snapshot | None:
        interval = getattr(settings, "AUTH_REVOCATION_CHECK_SECONDS", 1.0)
        now = time.monotonic()
        if now - self.read_at >= interval:
            self.read_at = now  # also after a failure: a Redis that is down is asked again next interval
            self.snapshot = _read(self.snapshot)
        return self.snapshot

    def forget(self) -> None:
        self.snapshot, self.read_at = None, -math.inf


_state = LocalCopy()


def current() -> Snapshot | None:
    """The marks as this process knows them; None when Redis could not be read (trust no claims)."""
    return _state.current()


def forget_local_copy() -> None:
    """Drop this process's copy, so the next request reads Redis (another process starts like this)."""
    _state.forget()


def _read(previous: Snapshot | None) -> Snapshot | None:
    """The marks now: only those since the newest one already known (with a little overlap, for a server
    clock that stepped back), merged into what this process holds; marks past the horizon are dropped."""
    oldest = time.time() - _horizon_seconds()
    since = oldest if previous is None else max(oldest, previous.newest - _OVERLAP_SECONDS)
    try:
        with client(settings.REDIS_URL).pipeline(transaction=False) as pipe:
            pipe.get(_key("role-bundles-version"))
            pipe.zrangebyscore(_key("changed-users"), since, "+inf", withscores=True)
            version, changed = pipe.execute()
    except redis.RedisError:
        return None
    known = {} if previous is None else {user: at for user, at in previous.changed_users.items() if at >= oldest}
    known.update((member.decode(), score) for member, score in changed)
    newest = max([score for _member, score in changed], default=-math.inf)
    return Snapshot(bundles_version=(version or b"").decode(), changed_users=known,
                    newest=max(newest, -math.inf if previous is None else previous.newest))


def clock() -> float:
    """The Redis server's time, in seconds: the one clock that marks and tokens' `roles_at` are read from."""
    seconds, microseconds = client(settings.REDIS_URL).time()
    return seconds + microseconds / 1_000_000


# mark a user at the server's time, prune marks no live token can be older than, keep the set's own TTL
_MARK = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
redis.call('EXPIRE', KEYS[1], ARGV[2])
return tostring(now)
"""


@cache
def _mark_script(url: str):
    return client(url).register_script(_MARK)


def user_changed(*, user_id: UUID | str) -> None:
    """Tokens of this user whose roles were read until now no longer speak for them: resolve them from the
    database. Raises redis.RedisError when Redis is down: a deactivation that other processes cannot learn
    of must not pass silently.
    """
    horizon = math.ceil(_horizon_seconds())
    now = float(_mark_script(settings.REDIS_URL)(keys=[_key("changed-users")], args=[str(user_id), horizon]))
    snapshot = _state.snapshot
    if snapshot is not None:  # this process knows at once, without waiting for its next read
        _state.snapshot = Snapshot(bundles_version=snapshot.bundles_version, newest=snapshot.newest,
                                   changed_users={**snapshot.changed_users, str(user_id): now})


def role_bundles_changed() -> None:
    """Some role's permissions changed: every process reloads the role table on its next read."""
    version = uuid.uuid4().hex
    client(settings.REDIS_URL).set(_key("role-bundles-version"), version)
    snapshot = _state.snapshot
    if snapshot is not None:
        _state.snapshot = Snapshot(bundles_version=version, changed_users=snapshot.changed_users,
                                   newest=snapshot.newest)
