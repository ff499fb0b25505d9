"""The reporting role: SELECT on the published views and nothing else, restored by every `migrate`, created again
harmlessly (the role is the cluster's, shared by every database on it), logging in with the configured password."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from psycopg import sql

from apps.ai.apps import reporting_grants_refresh
from apps.ai.reporting import role
from transport.reporting_database import REPORTING_DATABASE

pytestmark = pytest.mark.django_db


def can_select(relation: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT has_table_privilege(%s, %s, 'SELECT')", [settings.AI_REPORTING_ROLE, relation])
        return cursor.fetchone()[0]


def alter(statement: str, relation: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL(statement).format(relation=sql.Identifier(relation),
                                                 role=sql.Identifier(settings.AI_REPORTING_ROLE))
                       .as_string(connection.connection))


def test_the_role_reads_every_published_view_and_no_table(views):
    assert all(can_select(view) for view in views)
    assert not any(can_select(table) for table in ["ticketing_booking", "company_trip", "payment_payment",
                                                    "identity_user", "transport_outboxmessage",
                                                    "transport_reporting_binding"])


def test_migrate_gives_back_a_lost_view_and_takes_away_a_table_granted_by_hand(views):
    alter("REVOKE SELECT ON {relation} FROM {role}", "reporting_sales")
    alter("GRANT SELECT ON {relation} TO {role}", "ticketing_booking")
    assert (can_select("reporting_sales"), can_select("ticketing_booking")) == (False, True)

    reporting_grants_refresh(using="default")

    assert (can_select("reporting_sales"), can_select("ticketing_booking")) == (True, False)


def test_creating_the_role_again_changes_nothing(views):
    role.role_ensure(connection)
    role.role_ensure(connection)
    role.grants_refresh(connection, views)
    assert role.role_exists(connection)
    assert all(can_select(view) for view in views)
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolcanlogin, pg_has_role(current_user, rolname, 'MEMBER') FROM pg_roles "
                       "WHERE rolname = %s", [settings.AI_REPORTING_ROLE])
        assert cursor.fetchone() == (True, True)  # it logs in; the application may become it, not the reverse


def stored_password() -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolpassword FROM pg_authid WHERE rolname = %s", [settings.AI_REPORTING_ROLE])
        return cursor.fetchone()[0]


def test_migrate_sets_the_configured_password_hashed_and_only_on_a_role_that_logs_in(settings, monkeypatch):
    original = role.configured_password()
    monkeypatch.setitem(settings.DATABASES[REPORTING_DATABASE], "PASSWORD", "new-secret-1")
    try:
        reporting_grants_refresh(using="default")
        stored = stored_password()
        assert stored is not None
        assert stored.startswith(("SCRAM-SHA-256$", "md5"))
        assert "new-secret-1" not in stored

        role.role_no_login(connection)
        reporting_grants_refresh(using="default")
        assert stored_password() is None  # a role that does not log in gets no password back
    finally:
        role.role_login(connection, original)
    assert (stored_password() is None) == (original == "")
