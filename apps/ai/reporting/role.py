"""The database role questions run as (settings.AI_REPORTING_ROLE): USAGE on the schema and SELECT on the reporting
views, nothing else, a member of no role. Questions run on a connection that logs in as it (the "reporting" entry
of DATABASES), so its session user has no role to go back to: `RESET ROLE`, `SET ROLE` or `set_config('role', ...)`
in SQL that slipped past the guard still reads the views (bound to one company) and no table. The first migration
created it without login and made the application's user a member (questions then switched to it with
`SET LOCAL ROLE`); that membership lets the application become the role, never the other way round.

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

from transport.reporting_database import REPORTING_DATABASE


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


def configured_password() -> str:
    """The reporting connection's password (AI_REPORTING_PASSWORD, or AI_REPORTING_DATABASE_URL's): empty for none."""
    return str(settings.DATABASES[REPORTING_DATABASE].get("PASSWORD") or "")


def role_login(connection: BaseDatabaseWrapper, password: str) -> None:
    """Let the role log in, with `password` when one is given."""
    with connection.cursor() as cursor:
        _execute(cursor, sql.SQL("ALTER ROLE {role} LOGIN{password}").format(
            role=_role(), password=_password_clause(cursor, password)))


def password_refresh(connection: BaseDatabaseWrapper, password: str) -> None:
    """Set `password` on the role if it logs in (a new AI_REPORTING_PASSWORD takes effect at the next `migrate`).
    Without one nothing is written: the role is the cluster's, shared by every database on it."""
    if not password:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolcanlogin FROM pg_roles WHERE rolname = %s", [settings.AI_REPORTING_ROLE])
        if cursor.fetchone() == (True,):
            _execute(cursor, sql.SQL("ALTER ROLE {role}{password}").format(
                role=_role(), password=_password_clause(cursor, password)))


def _password_clause(cursor: CursorWrapper, password: str) -> sql.Composable:
    """` PASSWORD '<hash>'`, hashed here the way the server stores passwords (so the clear text is in no statement
    a server log could keep); nothing for no password."""
    if not password:
        return sql.SQL("")
    hashed = cursor.db.connection.pgconn.encrypt_password(password.encode(), settings.AI_REPORTING_ROLE.encode())
    return sql.SQL(" PASSWORD {hashed}").format(hashed=sql.Literal(hashed.decode()))


def role_no_login(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        _execute(cursor, sql.SQL("ALTER ROLE {role} NOLOGIN PASSWORD NULL").format(role=_role()))


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
