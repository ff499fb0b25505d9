"""The database role questions run as (settings.AI_REPORTING_ROLE): no login, USAGE on the schema and SELECT on
the reporting views, nothing else. The application's user is a member, so a question's transaction can
`SET LOCAL ROLE` to it. Even SQL that slipped past the guard then reads the views (bound to one company) and no
table.

Roles belong to the whole PostgreSQL cluster, grants to one database: creating the role tolerates another
database (or a concurrent test run) having created it, and dropping it leaves it alone while another database
still grants it something.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper
from psycopg import sql


def _role() -> sql.Identifier:
    return sql.Identifier(settings.AI_REPORTING_ROLE)


def _execute(cursor: CursorWrapper, statement: sql.Composable) -> None:
    cursor.execute(statement.as_string(cursor.db.connection))


def role_ensure(connection: BaseDatabaseWrapper) -> None:
    """Create the role unless it exists, and make the current user a member (granting twice is harmless)."""
    with connection.cursor() as cursor:
        _execute(cursor, sql.SQL(
            "DO $$ BEGIN CREATE ROLE {role} NOLOGIN NOINHERIT; "
            "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
        ).format(role=_role()))
        _execute(cursor, sql.SQL("GRANT {role} TO CURRENT_USER").format(role=_role()))


def role_exists(connection: BaseDatabaseWrapper) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [settings.AI_REPORTING_ROLE])
        return cursor.fetchone() is not None


def grants_refresh(connection: BaseDatabaseWrapper, view_names: Iterable[str]) -> None:
    """Take every privilege of the role on this database's schema, then give back USAGE on it and SELECT on
    `view_names`, in one transaction (no moment with more, none with fewer than after)."""
    role = _role()
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = sql.Identifier(cursor.fetchone()[0])
        privileges = [
            sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {role}"),
            sql.SQL("REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {role}"),
            sql.SQL("REVOKE ALL ON SCHEMA {schema} FROM {role}"),
            sql.SQL("GRANT USAGE ON SCHEMA {schema} TO {role}"),
        ]
        for statement in privileges:
            _execute(cursor, statement.format(schema=schema, role=role))
        for name in sorted(view_names):
            _execute(cursor, sql.SQL("GRANT SELECT ON {schema}.{view} TO {role}").format(
                schema=schema, view=sql.Identifier(name), role=role))


def role_drop(connection: BaseDatabaseWrapper) -> None:
    """Take the role's privileges on this database; drop it once no database grants it anything."""
    with connection.cursor() as cursor:
        _execute(cursor, sql.SQL("DROP OWNED BY {role}").format(role=_role()))
        cursor.execute(
            "SELECT 1 FROM pg_shdepend d JOIN pg_roles r ON r.oid = d.refobjid WHERE r.rolname = %s LIMIT 1",
            [settings.AI_REPORTING_ROLE])
        if cursor.fetchone() is None:
            _execute(cursor, sql.SQL("DROP ROLE IF EXISTS {role}").format(role=_role()))
