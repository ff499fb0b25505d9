"""Reporting views: the database views each app publishes for plain-language questions, described column by
column so that the model is told what it may read and a test can hold each description to its view.

A view filters itself on the company bound to the transaction (`transport.reporting_company`, set by the ai app
with `set_config(..., true)`): without that setting it returns no rows, so a query that forgot to bind a company
reads nothing rather than everything. Views are `security_barrier`, so the caller's predicates never run before
that filter (a failing cast in a WHERE clause cannot reveal another company's values in its error message).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import migrations

COMPANY_SETTING = "transport.reporting_company"

# The one predicate every reporting view applies to its company column.
TENANT_PREDICATE = f"NULLIF(current_setting('{COMPANY_SETTING}', true), '')::uuid"


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


def reporting_view(name: str, select: str, *, company_column: str) -> migrations.RunSQL:
    """The migration operation creating (or replacing) view `name` over `select`, bound to the transaction's
    company through `company_column`; reversed by dropping it. `select` ends without a WHERE clause of its own
    (its conditions go in joins)."""
    return migrations.RunSQL(
        sql=(f"CREATE OR REPLACE VIEW {name} WITH (security_barrier = true) AS {select} "
             f"WHERE {company_column} = {TENANT_PREDICATE}"),
        reverse_sql=f"DROP VIEW IF EXISTS {name}",
    )
