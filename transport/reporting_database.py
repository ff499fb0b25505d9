"""The reporting connection: a second entry in DATABASES that logs in as the reporting role, the only connection
operators' questions run on.

Its session user is the reporting role itself, which is a member of no role: whatever SQL runs there, `RESET ROLE`,
`SET ROLE` or `set_config('role', ...)` cannot reach more privileges than SELECT on the reporting views. It is the
default database seen through another login (same server and database), never migrated (ReportingRouter), and in
tests it mirrors the default's test database.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

REPORTING_DATABASE = "reporting"

# What the reporting connection drops of the default one's OPTIONS: the pool (questions are few; a persistent
# connection per thread) and the prepare settings (the executor picks the protocol of each statement itself).
# Everything else (the server, a unix socket directory given as `host`, TLS, the connect timeout) it keeps.
_DROPPED_OPTIONS = ("pool", "server_side_binding", "prepare_threshold")


def reporting_database(default: Mapping[str, Any], *, role: str, password: str,
                       url_settings: Mapping[str, Any] | None, conn_max_age: int) -> dict[str, Any]:
    """The reporting connection's settings: `url_settings` (a full URL, parsed) when given, else the default
    database's with the role's login; always a mirror of the default in tests."""
    database = dict(url_settings) if url_settings is not None else {**default, "USER": role, "PASSWORD": password}
    database["OPTIONS"] = {name: value for name, value in database.get("OPTIONS", {}).items()
                           if name not in _DROPPED_OPTIONS}
    return {**database, "CONN_MAX_AGE": conn_max_age, "CONN_HEALTH_CHECKS": True, "TEST": {"MIRROR": "default"}}


class ReportingRouter:
    """Migrations run on the default connection only: the reporting role may create nothing."""

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return False if db == REPORTING_DATABASE else None
