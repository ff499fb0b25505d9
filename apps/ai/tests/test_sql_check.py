"""sql_check refuses every unsafe form with its reason, before anything reaches the database, and clamps LIMIT.

These tests have no database access (no `db` fixture): a query from sql_check would fail them."""

from __future__ import annotations

import pytest

from apps.ai.guard.checks import sql_check
from apps.ai.guard.errors import SqlRefused

ALLOWED = {"reporting_sales", "reporting_trips"}

REFUSED = [
    # DDL, DML and other statements
    ("DROP TABLE ticketing_booking", "not_a_query"),
    ("DELETE FROM reporting_sales", "not_a_query"),
    ("UPDATE reporting_sales SET total_minor = 0", "not_a_query"),
    ("INSERT INTO reporting_sales (booking_id) VALUES (NULL)", "not_a_query"),
    ("CREATE TABLE stolen AS SELECT * FROM reporting_sales", "not_a_query"),
    ("TRUNCATE reporting_sales", "not_a_query"),
    ("COPY reporting_sales TO PROGRAM 'curl example.com'", "not_a_query"),
    ("SET ROLE postgres", "not_a_query"),
    ("CALL refresh_everything()", "not_a_query"),
    ("DO 'BEGIN PERFORM 1; END'", "not_a_query"),
    ("EXPLAIN ANALYZE SELECT * FROM reporting_sales", "not_a_query"),
    ("VALUES (1)", "not_a_query"),
    ("GRANT SELECT ON ticketing_booking TO PUBLIC", "not_a_query"),
    ("WITH gone AS (DELETE FROM reporting_sales RETURNING *) SELECT * FROM gone", "forbidden_statement"),
    ("WITH changed AS (UPDATE reporting_sales SET state = 'x' RETURNING *) SELECT * FROM changed",
     "forbidden_statement"),
    ("WITH added AS (INSERT INTO reporting_sales (state) VALUES ('x') RETURNING *) SELECT * FROM added",
     "forbidden_statement"),
    # more than one statement
    ("SELECT 1; DROP TABLE ticketing_booking", "not_one_statement"),
    ("SELECT * FROM reporting_sales; SELECT * FROM reporting_trips", "not_one_statement"),
    # SELECT INTO and locking clauses
    ("SELECT * INTO stolen FROM reporting_sales", "select_into"),
    ("SELECT * FROM reporting_sales FOR UPDATE", "locking_clause"),
    ("SELECT * FROM reporting_sales FOR SHARE", "locking_clause"),
    ("SELECT * FROM reporting_sales FOR NO KEY UPDATE SKIP LOCKED", "locking_clause"),
    # functions: sleeping, files, network, settings, large objects, unknown
    ("SELECT pg_sleep(60)", "function_not_allowed"),
    ("SELECT * FROM reporting_sales WHERE pg_sleep(1) IS NULL", "function_not_allowed"),
    ("SELECT * FROM reporting_sales, LATERAL (SELECT pg_sleep(1)) AS s", "function_not_allowed"),
    ("SELECT pg_read_file('/etc/passwd')", "function_not_allowed"),
    ("SELECT pg_read_binary_file('postgresql.conf')", "function_not_allowed"),
    ("SELECT pg_ls_dir('.')", "function_not_allowed"),
    ("SELECT * FROM dblink('host=example.com', 'SELECT 1') AS t(a int)", "function_not_allowed"),
    ("SELECT dblink_exec('host=example.com', 'DROP TABLE x')", "function_not_allowed"),
    ("SELECT set_config('transport.reporting_company', '00000000-0000-0000-0000-000000000000', true)",
     "function_not_allowed"),
    ("SELECT current_setting('transport.reporting_company')", "function_not_allowed"),
    ("SELECT lo_import('/etc/passwd')", "function_not_allowed"),
    ("SELECT lo_export(1, '/tmp/x')", "function_not_allowed"),
    ("SELECT query_to_xml('SELECT * FROM ticketing_booking', true, true, '')", "function_not_allowed"),
    ("SELECT current_user", "function_not_allowed"),
    ("SELECT version()", "function_not_allowed"),
    ("SELECT my_own_function(total_minor) FROM reporting_sales", "function_not_allowed"),
    # relations outside the reporting views, system catalogs, other schemas
    ("SELECT * FROM ticketing_booking", "relation_not_allowed"),
    ("SELECT s.* FROM reporting_sales s JOIN identity_user u ON u.id = s.agent_user_id", "relation_not_allowed"),
    ("SELECT * FROM reporting_sales WHERE booking_id IN (SELECT id FROM ticketing_booking)", "relation_not_allowed"),
    ("SELECT * FROM (WITH company_trip AS (SELECT 1) SELECT * FROM company_trip) AS a, company_trip",
     "relation_not_allowed"),
    ("SELECT * FROM pg_authid", "system_catalog"),
    ("SELECT * FROM pg_catalog.pg_class", "system_catalog"),
    ("SELECT * FROM information_schema.tables", "system_catalog"),
    ("WITH pg_roles AS (SELECT 1) SELECT * FROM pg_roles", "system_catalog"),
    ("SELECT * FROM other_schema.reporting_sales", "schema_not_allowed"),
    ("SELECT * FROM otherdb.public.reporting_sales", "schema_not_allowed"),
    ("SELECT 'ticketing_booking'::regclass", "cast_not_allowed"),
    # comments, quoting and unicode tricks
    ("SELECT 1 -- ; DROP TABLE ticketing_booking", "comment"),
    ("SELECT 1 /* ; DROP TABLE ticketing_booking */", "comment"),
    ("SEL/**/ECT * FROM reporting_sales", "comment"),
    ("DR/**/OP TABLE reporting_sales", "comment"),
    ("SELECT $$; DROP TABLE ticketing_booking$$", "dollar_quoting"),
    ("SELECT $q$x$q$ FROM reporting_sales", "dollar_quoting"),
    ("SELECT U&'\\0070g_sleep' FROM reporting_sales", "unicode_escape"),
    ("SELECT E'\\x41' FROM reporting_sales", "escape_string"),
    ("SELECT * FROM reporting_sal\u0435s", "non_ascii"),  # Cyrillic e
    ("S\u0415LECT * FROM reporting_sales", "non_ascii"),  # Cyrillic E
    ("SELECT * FROM \"reporting_sal\u0435s\"", "non_ascii"),
    ("SELECT\u200b* FROM reporting_sales", "suspicious_character"),  # zero-width space
    ("SELECT * FROM reporting_sales WHERE state = 'confirmed\u202e'", "suspicious_character"),  # bidi override
    ("SELECT 1\x00", "suspicious_character"),
    # parameters and nothing at all
    ("SELECT * FROM reporting_sales WHERE booking_id = $1", "parameter"),
    ("", "empty"),
    ("   ", "empty"),
    ("SELECT FROM WHERE", "unparsable"),
    ("SELECT " + "1 + " * 6000 + "1", "too_long"),
]


@pytest.mark.parametrize(("sql", "reason"), REFUSED)
def test_each_unsafe_form_is_refused_with_its_reason_before_the_database_is_asked_anything(sql, reason):
    with pytest.raises(SqlRefused) as refused:
        sql_check(sql, allowed_relations=ALLOWED, row_limit=100)
    assert refused.value.reason_code == reason
    assert refused.value.message


ACCEPTED = [
    ("SELECT date_trunc('day', confirmed_at) AS day, count(*) AS bookings, sum(total_minor) AS revenue "
     "FROM reporting_sales WHERE state = 'confirmed' GROUP BY 1 ORDER BY 1",
     "SELECT DATE_TRUNC('DAY', confirmed_at) AS day, COUNT(*) AS bookings, SUM(total_minor) AS revenue "
     "FROM reporting_sales WHERE state = 'confirmed' GROUP BY 1 ORDER BY 1 LIMIT 100"),
    ("WITH late AS (SELECT * FROM reporting_trips WHERE delay_minutes > 30) SELECT route_code, count(*) FROM late "
     "GROUP BY route_code",
     "WITH late AS (SELECT * FROM reporting_trips WHERE delay_minutes > 30) SELECT route_code, COUNT(*) FROM late "
     "GROUP BY route_code LIMIT 100"),
    ("SELECT trip_id FROM reporting_sales UNION SELECT trip_id FROM public.reporting_trips",
     "SELECT trip_id FROM reporting_sales UNION SELECT trip_id FROM public.reporting_trips LIMIT 100"),
    ("SELECT agent_name, coalesce(sum(total_minor), 0) FROM reporting_sales WHERE confirmed_at >= now() - interval "
     "'1 day' AND channel <> 'online' GROUP BY agent_name ORDER BY 2 DESC LIMIT 1;",
     "SELECT agent_name, COALESCE(SUM(total_minor), 0) FROM reporting_sales WHERE confirmed_at >= CURRENT_TIMESTAMP "
     "- INTERVAL '1 DAY' AND channel <> 'online' GROUP BY agent_name ORDER BY 2 DESC LIMIT 1"),
    ("SELECT 'Stadi ya Nairobi \u2013 Kis\u00fcmu' AS name, round(avg(delay_minutes)::numeric, 1) FROM reporting_trips",
     "SELECT 'Stadi ya Nairobi \u2013 Kis\u00fcmu' AS name, ROUND(CAST(AVG(delay_minutes) AS DECIMAL), 1) "
     "FROM reporting_trips LIMIT 100"),
]


@pytest.mark.parametrize(("sql", "runs"), ACCEPTED)
def test_a_reporting_query_is_accepted_and_what_runs_is_the_checked_tree_with_a_limit(sql, runs):
    checked = sql_check(sql, allowed_relations=ALLOWED, row_limit=100)
    assert checked.sql == runs
    assert checked.original == sql


@pytest.mark.parametrize(("sql", "limit"), [
    ("SELECT * FROM reporting_sales", "LIMIT 100"),
    ("SELECT * FROM reporting_sales LIMIT 5", "LIMIT 5"),
    ("SELECT * FROM reporting_sales LIMIT 100", "LIMIT 100"),
    ("SELECT * FROM reporting_sales LIMIT 101", "LIMIT 100"),
    ("SELECT * FROM reporting_sales LIMIT 1000000 OFFSET 10", "LIMIT 100 OFFSET 10"),
    ("SELECT * FROM reporting_sales LIMIT ALL", "LIMIT 100"),
    ("SELECT * FROM reporting_sales LIMIT (SELECT 100000)", "LIMIT 100"),
    ("SELECT * FROM reporting_sales FETCH FIRST 5000 ROWS ONLY", "LIMIT 100"),
    ("SELECT trip_id FROM reporting_sales UNION ALL SELECT trip_id FROM reporting_trips LIMIT 9999", "LIMIT 100"),
])
def test_limit_is_added_when_absent_and_lowered_when_higher(sql, limit):
    assert sql_check(sql, allowed_relations=ALLOWED, row_limit=100).sql.endswith(f" {limit}")
