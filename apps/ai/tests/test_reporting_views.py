"""The reporting views: each described column by column as it is, and bound to the company of the binding row."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from apps.ai.reporting import catalog
from transport.reporting import BINDING_UPSERT


def view_columns(name: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
                       "AND table_name = %s ORDER BY ordinal_position", [name])
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db
@pytest.mark.parametrize("view", catalog.reporting_views(), ids=lambda view: view.name)
def test_every_described_column_is_the_views_and_every_column_of_the_view_is_described(view):
    assert [column.name for column in view.columns] == view_columns(view.name)
    assert view.description
    assert all(column.type and column.description for column in view.columns)


def test_the_published_views_are_the_six_of_company_ticketing_and_payment(views):
    assert views == {"reporting_trips", "reporting_trip_stops", "reporting_sales", "reporting_boardings",
                     "reporting_payments", "reporting_refunds"}


def rows_as_superuser(sql: str, company_id=None) -> list[tuple]:
    with transaction.atomic(), connection.cursor() as cursor:
        if company_id is not None:
            cursor.execute(BINDING_UPSERT, [connection.connection.info.backend_pid, company_id])
        cursor.execute(sql)
        rows = cursor.fetchall()
        transaction.set_rollback(True)
    return rows


def test_without_a_company_bound_a_view_returns_nothing_even_to_the_owner(ours, theirs):
    assert rows_as_superuser("SELECT booking_id FROM reporting_sales") == []
    assert rows_as_superuser("SELECT trip_id FROM reporting_trips") == []


def test_with_a_company_bound_a_view_returns_that_companys_rows_only(ours, theirs):
    sales = rows_as_superuser("SELECT booking_id, company_id, channel, seats, currency, state FROM reporting_sales",
                              ours.company_id)
    assert {row[0] for row in sales} == ours.booking_ids
    assert {row[1:] for row in sales} == {(ours.company_id, "online", 1, "KES", "confirmed")}
    trips = rows_as_superuser("SELECT trip_id, route_code, company_id FROM reporting_trips", theirs.company_id)
    assert trips == [(theirs.world.trip_id, "NBI-KSM", theirs.company_id)]
