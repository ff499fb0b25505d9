"""Seat layouts: checked plans, immutable versions, the standard coach plans of the demo."""

from __future__ import annotations

import pytest

from apps.company import layouts
from apps.company.models import Bus, SeatLayout, SeatLayoutVersion

BASE = "/api/v1/company"


def _plan(seats, rows=2, columns=3, aisle=(2,)):
    return {"decks": 1, "rows": rows, "columns": columns, "aisle_columns": list(aisle), "seats": seats}


def test_a_layout_is_created_with_its_first_version(tenant_a):
    response = tenant_a.client("company_admin").post(f"{BASE}/layouts", {
        "company_id": str(tenant_a.company.id), "name": "Minibus",
        "plan": _plan([{"label": "1A", "row": 1, "col": 1}, {"label": "1B", "row": 1, "col": 3, "seat_class": "vip"},
                       {"label": "C", "row": 2, "col": 1, "sellable": False}])}, format="json")
    assert response.status_code == 201
    version = response.json()["current_version"]
    assert (version["number"], version["sellable_count"]) == (1, 2)
    assert [s["label"] for s in version["seats"] if not s["sellable"]] == ["C"]


@pytest.mark.parametrize(("seats", "problem"), [
    ([{"label": "1A", "row": 1, "col": 2}], "Seat 1: sits in an aisle column."),
    ([{"label": "1A", "row": 3, "col": 1}], "Seat 1: lies outside the decks, rows and columns."),
    ([{"label": "1A", "row": 1, "col": 1}, {"label": "1A", "row": 1, "col": 3}], "Seat 2: label 1A is used twice."),
    ([{"label": "1A", "row": 1, "col": 1}, {"label": "1B", "row": 1, "col": 1}],
     "Seat 2: two seats at deck 1 row 1 column 1."),
    ([{"label": "1A", "row": 1, "col": 1, "sellable": False}], "A layout needs at least one sellable seat."),
])
def test_a_bad_plan_is_refused_with_every_problem(tenant_a, seats, problem):
    before = SeatLayout.objects.count()
    response = tenant_a.client("company_admin").post(f"{BASE}/layouts", {
        "company_id": str(tenant_a.company.id), "name": "Broken", "plan": _plan(seats)}, format="json")
    assert response.status_code == 422
    assert response.json()["errors"] == {"seats": [problem]}
    assert SeatLayout.objects.count() == before


def test_editing_a_layout_adds_a_version_and_keeps_the_old(tenant_a):
    old = tenant_a.layout.current_version_id
    response = tenant_a.client("company_admin").patch(f"{BASE}/layouts/{tenant_a.layout.id}", {
        "plan": _plan([{"label": "1A", "row": 1, "col": 1}])}, format="json")
    assert response.status_code == 200
    assert response.json()["current_version"]["number"] == 2
    assert SeatLayoutVersion.objects.get(pk=old).sellable_count == 49


def test_the_demo_coaches_have_49_and_36_seats():
    standard = layouts.grid_layout(rows=11, left=2, right=2, back_row=5, seat_class="standard")
    vip = layouts.grid_layout(rows=12, left=2, right=1, seat_class="vip")
    for plan in (standard, vip):
        layouts.validate_layout(decks=plan["decks"], rows=plan["rows"], columns=plan["columns"],
                                aisle_columns=plan["aisle_columns"], seats=plan["seats"])
    assert (len(standard["seats"]), len(vip["seats"])) == (49, 36)
    assert {s["seat_class"] for s in vip["seats"]} == {"vip"}


def test_a_plate_is_unique_within_a_company_only(tenant_a, tenant_b):
    body = {"plate": "kxx 123y", "layout_id": str(tenant_a.layout.id), "company_id": str(tenant_a.company.id)}
    first = tenant_a.client("company_admin").post(f"{BASE}/buses", body, format="json")
    again = tenant_a.client("company_admin").post(f"{BASE}/buses", {**body, "plate": "KXX 123Y"}, format="json")
    elsewhere = tenant_b.client("company_admin").post(f"{BASE}/buses", {
        **body, "layout_id": str(tenant_b.layout.id), "company_id": str(tenant_b.company.id)}, format="json")
    assert (first.status_code, again.status_code, elsewhere.status_code) == (201, 409, 201)
    assert first.json()["plate"] == "KXX 123Y"


def test_a_bus_with_trips_or_schedules_is_not_deleted(tenant_a):
    response = tenant_a.client("company_admin").delete(f"{BASE}/buses/{tenant_a.bus.id}")
    assert response.status_code == 409
    assert response.json()["code"] == "bus_in_use"
    assert tenant_a.company.buses.count() == 2


def test_an_unused_bus_is_deleted_but_a_layout_in_use_is_not(tenant_a):
    client = tenant_a.client("company_admin")
    spare = client.delete(f"{BASE}/buses/{tenant_a.spare_bus.id}")
    layout_in_use = client.delete(f"{BASE}/layouts/{tenant_a.layout.id}")
    assert (spare.status_code, layout_in_use.status_code) == (204, 409)
    assert list(Bus.objects.values_list("id", flat=True)) == [tenant_a.bus.id]
    assert SeatLayout.objects.filter(pk=tenant_a.layout.id).exists()
