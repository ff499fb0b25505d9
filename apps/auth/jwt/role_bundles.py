"""Role name -> permission names, held in this process and reloaded when the shared version changes.

Roles are a handful of rows that change rarely (a deploy adds permissions, an operator edits a role),
while every bearer request needs them, so each process keeps the whole table and reloads it when
revocation.py reports a new version. The version is bumped after the change commits; until then the
process making the change reads the table afresh (it must see its own change, and must not keep it if
the transaction rolls back).
"""

from __future__ import annotations

from django.db import connection, transaction

from apps.auth.jwt import revocation
from apps.auth.models import Role


class _Cache:
    def __init__(self) -> None:
        self.version: str | None = None
        self.bundles: dict[str, frozenset[str]] = {}
        # the outermost transaction in which a role changed and which has not committed yet (or None)
        self.changing_in: object | None = None


_cache = _Cache()


def _outermost_transaction() -> object | None:
    return connection.atomic_blocks[0] if connection.in_atomic_block and connection.atomic_blocks else None


def bundles(*, version: str) -> dict[str, frozenset[str]]:
    """Every role's permissions as of `version` (the shared version this request saw)."""
    if _cache.changing_in is not None:
        if _cache.changing_in is _outermost_transaction():
            return _load()  # our own uncommitted change: read it, keep nothing
        _cache.changing_in = None  # that transaction is over; a commit has bumped the version
        _cache.version = None  # a rollback has not: do not trust what was kept meanwhile either
    if _cache.version != version:
        _cache.bundles, _cache.version = _load(), version
    return _cache.bundles


def _load() -> dict[str, frozenset[str]]:
    grants: dict[str, set[str]] = {}
    rows = Role.objects.values_list("name", "permissions__content_type__app_label", "permissions__codename")
    for name, app_label, codename in rows:
        perms = grants.setdefault(name, set())  # a role that grants nothing is still a role
        if codename:
            perms.add(f"{app_label}.{codename}")
    return {name: frozenset(perms) for name, perms in grants.items()}


def changed() -> None:
    """A role or its permissions changed in the current transaction: reload after it commits."""
    _cache.changing_in = _outermost_transaction()
    _cache.version = None
    transaction.on_commit(revocation.role_bundles_changed)
