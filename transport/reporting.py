"""Reporting views: the database views each app publishes for plain-language questions, described column by
column so that the model is told what it may read and a test can hold each description to its view.

A view filters itself on the company bound to the backend that reads it: a row of BINDING_TABLE keyed by that
backend's pid. Questions run on a connection of their own that logs in as the reporting role
(transport/reporting_database.py); the application's connection writes and commits the row for that connection's
pid before the question runs, and deletes it after. The views run with their owner's rights, so they read that
table; the reporting role has no privilege on it at all, so SQL run as that role can neither read the binding nor
write another company into it (a per-transaction setting could be changed by the role itself with `set_config`).
Without a binding row a view returns no rows, so a query that forgot to bind a company reads nothing rather than
everything. Views are `security_barrier`, so the caller's predicates never run before that filter (a failing cast
in a WHERE clause cannot reveal another company's values in its error message).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import migrations

BINDING_TABLE = "transport_reporting_binding"

# The company bound to the backend reading a view (none: NULL, so no row matches).
BINDING_TENANT = f"(SELECT company_id FROM {BINDING_TABLE} WHERE backend_pid = pg_backend_pid())"  # noqa: S608 (constants)

# Binds the company (second parameter) to the backend whose pid is the first (owner only). A row left by a dead
# backend whose pid the server has since given to another is overwritten, never used.
BINDING_UPSERT = (f"INSERT INTO {BINDING_TABLE} (backend_pid, company_id) VALUES (%s, %s) "  # noqa: S608 (constants)
                  "ON CONFLICT (backend_pid) DO UPDATE SET company_id = EXCLUDED.company_id, bound_at = now()")

# Ends the binding of the backend whose pid is the one parameter.
BINDING_DELETE = f"DELETE FROM {BINDING_TABLE} WHERE backend_pid = %s"  # noqa: S608 (constants)

# The first views' filter, a transaction setting the reporting role could itself change; only their migrations
# and the reversal of the re-binding ones use it.
SETTING_TENANT = "NULLIF(current_setting('transport.reporting_company', true), '')::uuid"


@dataclass(frozen=True)
class ReportingColumn:
    name: str
    type: str  # as the model is told: uuid, text, integer, date, timestamptz, ...
    description: str


@dataclass(frozen=True)
class ReportingView:
    name: str
    description: str
    columns: tuple[ReportingColumn, ...]


@dataclass(frozen=True)
class ReportingViewSql:
    """A view as its migration defines it: `select` ends without a WHERE clause of its own (its conditions go in
    joins), `company_column` is what the tenant filter compares."""

    name: str
    select: str
    company_column: str

    def create(self, tenant: str) -> str:
        return (f"CREATE OR REPLACE VIEW {self.name} WITH (security_barrier = true) AS {self.select} "
                f"WHERE {self.company_column} = {tenant}")


def reporting_view(view: ReportingViewSql, *, tenant: str) -> migrations.RunSQL:
    """The migration operation creating (or replacing) `view` filtered on `tenant`; reversed by dropping it."""
    return migrations.RunSQL(sql=view.create(tenant), reverse_sql=f"DROP VIEW IF EXISTS {view.name}")


def reporting_view_retenant(view: ReportingViewSql, *, tenant: str, previous: str) -> migrations.RunSQL:
    """The migration operation replacing `view`'s tenant filter `previous` by `tenant` (same columns, so its
    grants stay); reversed by putting `previous` back."""
    return migrations.RunSQL(sql=view.create(tenant), reverse_sql=view.create(previous))


def binding_table() -> migrations.RunSQL:
    """The migration operation creating BINDING_TABLE, readable and writable by its owner only (the views read it
    as their owner). The primary key holds one binding per backend: a second one fails rather than mixing."""
    return migrations.RunSQL(
        sql=[f"CREATE TABLE {BINDING_TABLE} (backend_pid integer PRIMARY KEY, company_id uuid NOT NULL, "
             f"bound_at timestamptz NOT NULL DEFAULT now())",
             f"REVOKE ALL ON {BINDING_TABLE} FROM PUBLIC"],
        reverse_sql=f"DROP TABLE IF EXISTS {BINDING_TABLE}",
    )
