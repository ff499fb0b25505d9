"""A device credential resolved to its Principal without the database, on every process.

A device request needs the device, its user and its role's permissions in its company: two queries. They
are kept in Redis under the credential's hash, so a request costs one Redis read and no query:
- a change of the device row (a revocation, by its service or the admin) writes a tombstone over the entry,
  at once and again after commit: the very next request, on any process, reads the database, which refuses
  a revoked device. An entry is never written over a tombstone, so a read that raced the revocation cannot
  put the device back;
- a change of its user (deactivation, memberships, roles) or of the role table is known from the marks in
  revocation.py, as for bearer tokens: an entry read before the mark is read again;
- when Redis cannot be read, the database answers.
"""

from __future__ import annotations

import contextlib
import json
from functools import cache
from uuid import UUID

import redis
from django.conf import settings
from django.db import connection, transaction

from apps.auth import selectors
from apps.auth.jwt import revocation
from apps.auth.redis_client import client
from transport.principal import Principal, PrincipalKind

TOMBSTONE = b"-"

# write the entry unless a tombstone is there: a revocation seen by Redis first always stands
_FILL = """
if redis.call('GET', KEYS[1]) == ARGV[2] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
return 1
"""


@cache
def _fill_script(url: str):
    return client(url).register_script(_FILL)


def _key(digest: str) -> str:
    return f"{settings.CACHES['default'].get('KEY_PREFIX', 'transport')}:identity:device:{digest}"


def _seconds() -> int:
    return min(settings.AUTH_DEVICE_CACHE_SECONDS, revocation.marks_kept_seconds())  # an older mark is pruned


def principal_for_credential(credential: str) -> Principal | None:
    """The principal of an unrevoked device of an active user; None for anything else."""
    key = _key(selectors.credential_hash(credential))
    snapshot = revocation.current()
    cached = None
    if snapshot is not None:
        try:
            cached = client(settings.REDIS_URL).get(key)
        except redis.RedisError:
            snapshot = None
    if cached and cached != TOMBSTONE and snapshot is not None:
        entry = json.loads(cached)
        if entry["bundles"] == snapshot.bundles_version and snapshot.claims_are_current(
                user_id=entry["user_id"], roles_read_at=entry["read_at"]):
            return _principal(entry)
    return _from_database(credential, key=key, snapshot=None if cached == TOMBSTONE else snapshot)


def _from_database(credential: str, *, key: str, snapshot: revocation.Snapshot | None) -> Principal | None:
    read_at = None
    if snapshot is not None:
        try:
            read_at = revocation.clock()  # before the read: a change marked after it makes the entry stale
        except redis.RedisError:
            snapshot = None
    device = selectors.device_by_credential(credential=credential)
    if device is None:
        return None
    principal = selectors.device_principal(device=device)
    if snapshot is not None:
        permissions = {str(company): sorted(perms) for company, perms in principal.company_permissions.items()}
        entry = {"device_id": str(principal.id), "user_id": str(principal.user_id), "name": principal.name,
                 "permissions": permissions, "read_at": read_at, "bundles": snapshot.bundles_version}
        with contextlib.suppress(redis.RedisError):  # the next request reads the database again
            _fill_script(settings.REDIS_URL)(keys=[key], args=[json.dumps(entry), TOMBSTONE, _seconds()])
    return principal


def _principal(entry: dict) -> Principal:
    return Principal(
        kind=PrincipalKind.DEVICE, id=UUID(entry["device_id"]), user_id=UUID(entry["user_id"]), name=entry["name"],
        company_permissions={UUID(company): frozenset(perms) for company, perms in entry["permissions"].items()},
        global_permissions=frozenset(),
    )


def device_changed(*, credential_hash: str) -> None:
    """The device's row changed (revoked, reassigned): its next request, on any process, reads the database.
    Raises redis.RedisError when Redis is down: a revocation other processes cannot learn of must not pass
    silently."""
    _bury(credential_hash)
    if connection.in_atomic_block:
        transaction.on_commit(lambda: _bury(credential_hash))


def _bury(credential_hash: str) -> None:
    client(settings.REDIS_URL).set(_key(credential_hash), TOMBSTONE, ex=_seconds())
