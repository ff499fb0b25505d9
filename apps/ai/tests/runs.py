"""What tests that run questions share: questions run on the reporting connection, which sees committed rows only,
so such tests commit their data (a transactional test) and may use that connection; and SQL handed to guarded_run
unchecked (a CheckedSql built by hand), where the point is that the database holds even if sql_check were
bypassed."""

from __future__ import annotations

import pytest
from django.db import DEFAULT_DB_ALIAS

from apps.ai.guard.checks import CheckedSql
from apps.ai.guard.executor import QueryResult, guarded_run
from transport.reporting_database import REPORTING_DATABASE

ZONE = "Africa/Nairobi"  # the worlds' companies' zone
committed_questions = pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPORTING_DATABASE])


def unchecked(sql: str) -> CheckedSql:
    return CheckedSql(sql=sql, original=sql, relations=frozenset())


def run(sql: str, company, *, max_rows: int = 100, timeout_ms: int = 5000) -> QueryResult:
    return guarded_run(unchecked(sql), company_id=company.company_id, time_zone=ZONE, timeout_ms=timeout_ms,
                       max_rows=max_rows)
