"""sql_check: a question's SQL is one read-only query over allowed relations and functions, with a bounded LIMIT,
or it is refused with a reason before anything runs.

What runs is the SQL regenerated from the checked syntax tree, never the text received: whatever the text hid
(a comment, an odd quoting), what PostgreSQL executes is what was checked.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.tokens import Token, TokenType

from apps.ai.guard.allowlists import ALLOWED_ANONYMOUS_FUNCTIONS, ALLOWED_CAST_TYPES, ALLOWED_FUNCTION_TYPES
from apps.ai.guard.errors import SqlRefused

DIALECT = "postgres"
MAX_SQL_LENGTH = 20_000
ALLOWED_SCHEMA = "public"
SYSTEM_SCHEMAS = frozenset({"pg_catalog", "information_schema", "pg_toast"})

# what may appear anywhere: statements and clauses that write, define, lock or configure
_FORBIDDEN_NODES: tuple[type[exp.Expression], ...] = (
    exp.Insert, exp.Update, exp.Delete, exp.Merge, exp.Create, exp.Drop, exp.Alter, exp.TruncateTable,
    exp.Command, exp.Copy, exp.Set, exp.Transaction, exp.Commit, exp.Rollback, exp.Grant, exp.Revoke,
    exp.Execute, exp.Use, exp.Pragma, exp.Describe, exp.Show, exp.Kill, exp.Analyze, exp.Refresh, exp.Cache,
    exp.Uncache, exp.LoadData, exp.Declare, exp.Comment,
)
_QUERY_ROOTS = (exp.Select, exp.SetOperation)
# string forms whose text is not what it looks like: dollar quoting, unicode escapes, backslash escapes
_REFUSED_STRING_TOKENS = {TokenType.HEREDOC_STRING: "dollar_quoting", TokenType.UNICODE_STRING: "unicode_escape",
                          TokenType.BYTE_STRING: "escape_string"}


@dataclass(frozen=True)
class CheckedSql:
    sql: str  # what runs: regenerated from the checked tree, LIMIT clamped
    original: str
    relations: frozenset[str]


def sql_check(sql: str, *, allowed_relations: set[str], row_limit: int) -> CheckedSql:
    if not sql.strip():
        raise SqlRefused("empty", "There is no SQL to run.")
    if len(sql) > MAX_SQL_LENGTH:
        raise SqlRefused("too_long", f"The SQL is longer than {MAX_SQL_LENGTH} characters.")
    _check_characters(sql)
    _check_tokens(_tokens(sql))
    query = _single_query(sql)
    _check_nodes(query)
    relations = _check_relations(query, allowed_relations)
    _check_functions(query)
    _clamp_limit(query, row_limit)
    return CheckedSql(sql=query.sql(dialect=DIALECT), original=sql, relations=frozenset(relations))


def _check_characters(sql: str) -> None:
    """Control and invisible formatting characters (zero-width spaces, bidirectional overrides) have no place
    in a query and can make it read differently from what it is."""
    for char in sql:
        if char in "\t\n\r":
            continue
        if unicodedata.category(char) in {"Cc", "Cf", "Co", "Cs", "Zl", "Zp"}:
            raise SqlRefused("suspicious_character", f"The SQL contains the invisible character U+{ord(char):04X}.")


def _tokens(sql: str) -> list[Token]:
    try:
        return sqlglot.tokenize(sql, read=DIALECT)
    except SqlglotError as error:
        raise SqlRefused("unparsable", f"The SQL could not be read: {error}") from error


def _check_tokens(tokens: list[Token]) -> None:
    """No comments (they hide text, or split keywords and statements); text outside plain string literals is
    ASCII (a look-alike letter makes a name that is not the one it shows); no exotic string forms."""
    for token in tokens:
        if token.comments:
            raise SqlRefused("comment", "Comments are not allowed in the SQL.")
        if token.token_type in _REFUSED_STRING_TOKENS:
            raise SqlRefused(_REFUSED_STRING_TOKENS[token.token_type],
                             "Only plain 'single-quoted' string literals are allowed.")
        if token.token_type is not TokenType.STRING and not token.text.isascii():
            raise SqlRefused("non_ascii", f"Names and keywords must be plain ASCII; {token.text!r} is not.")


def _single_query(sql: str) -> exp.Expression:
    try:
        statements = [statement for statement in sqlglot.parse(sql, read=DIALECT) if statement is not None]
    except SqlglotError as error:
        raise SqlRefused("unparsable", f"The SQL could not be parsed: {error}") from error
    if len(statements) != 1:
        raise SqlRefused("not_one_statement", f"Exactly one statement is allowed; found {len(statements)}.")
    query = statements[0]
    if not isinstance(query, _QUERY_ROOTS):
        raise SqlRefused("not_a_query", "Only a SELECT (with UNION, INTERSECT, EXCEPT and WITH) is allowed.")
    return query


def _check_nodes(query: exp.Expression) -> None:
    for node in query.walk():
        if isinstance(node, _FORBIDDEN_NODES):
            raise SqlRefused("forbidden_statement", f"{type(node).__name__.upper()} is not allowed: read only.")
        if isinstance(node, exp.Into):
            raise SqlRefused("select_into", "SELECT ... INTO is not allowed: it creates a table.")
        if isinstance(node, exp.Lock):
            raise SqlRefused("locking_clause", "FOR UPDATE / FOR SHARE is not allowed: read only.")
        if isinstance(node, exp.Placeholder | exp.Parameter | exp.SessionParameter):
            raise SqlRefused("parameter", "Parameters and session variables are not allowed.")
        if isinstance(node, exp.Cast):
            _check_cast(node)


def _check_cast(cast: exp.Cast) -> None:
    target = cast.to
    types = [target, *target.find_all(exp.DataType)]
    for data_type in types:
        if data_type.this not in ALLOWED_CAST_TYPES:
            raise SqlRefused("cast_not_allowed", f"Casting to {data_type.sql(dialect=DIALECT)} is not allowed.")


def _visible_ctes(table: exp.Table) -> set[str]:
    """Names of the CTEs in scope where `table` is named: those of the WITH clauses of its enclosing queries
    (a CTE defined in a subquery does not hide a table of the same name outside it)."""
    names: set[str] = set()
    node = table.parent
    while node is not None:
        with_clause = node.args.get("with_")
        if isinstance(with_clause, exp.With):
            names.update(cte.alias_or_name.lower() for cte in with_clause.expressions)
        node = node.parent
    return names


def _check_relations(query: exp.Expression, allowed_relations: set[str]) -> set[str]:
    allowed = {name.lower() for name in allowed_relations}
    named: set[str] = set()
    for table in query.find_all(exp.Table):
        if not isinstance(table.this, exp.Identifier):
            continue  # a function in FROM (generate_series): _check_functions judges it
        name = table.name.lower()
        schema = table.db.lower()
        if table.catalog:
            raise SqlRefused("schema_not_allowed", f"{table.sql(dialect=DIALECT)}: no database-qualified names.")
        if schema in SYSTEM_SCHEMAS or name.startswith("pg_") or name in SYSTEM_SCHEMAS:
            raise SqlRefused("system_catalog", f"{table.sql(dialect=DIALECT)}: system catalogs are not allowed.")
        if schema and schema != ALLOWED_SCHEMA:
            raise SqlRefused("schema_not_allowed", f"{table.sql(dialect=DIALECT)}: only the reporting views.")
        if not schema and name in _visible_ctes(table):
            continue
        if name not in allowed:
            raise SqlRefused("relation_not_allowed",
                             f"{table.sql(dialect=DIALECT)} is not a reporting view; allowed: "
                             f"{', '.join(sorted(allowed))}.")
        named.add(name)
    return named


def _check_functions(query: exp.Expression) -> None:
    for node in query.find_all(exp.Func):
        if isinstance(node, exp.Anonymous):
            if str(node.this).lower() not in ALLOWED_ANONYMOUS_FUNCTIONS:
                raise SqlRefused("function_not_allowed", f"The function {node.this}() is not allowed.")
        elif type(node) not in ALLOWED_FUNCTION_TYPES:
            raise SqlRefused("function_not_allowed",
                             f"The function {node.sql_name() or type(node).__name__}() is not allowed.")


def _clamp_limit(query: exp.Expression, row_limit: int) -> None:
    """LIMIT row_limit when there is none or it asks for more (or for an amount not a plain number)."""
    limit = query.args.get("limit")
    count = limit.expression if isinstance(limit, exp.Limit) else limit.args.get("count") if limit else None
    if isinstance(count, exp.Literal) and not count.is_string and count.this.isdigit() \
            and int(count.this) <= row_limit:
        return
    query.set("limit", exp.Limit(expression=exp.Literal.number(row_limit)))
