"""Seat layouts (each edit a new immutable version) and buses."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db import IntegrityError, transaction

from apps.company import layouts
from apps.company.models import Bus, Company, SeatLayout, SeatLayoutVersion
from apps.company.permissions import MANAGE_FLEET
from apps.company.services.rows import delete_unless_used, save_changes
from transport.errors import Conflict, NotFound
from transport.principal import Principal
from transport.tenancy import get_for


def _company(principal: Principal, company_id: UUID) -> Company:
    return get_for(principal, Company.objects.all(), company_id, MANAGE_FLEET)


def _new_version(layout: SeatLayout, plan: dict[str, Any]) -> SeatLayoutVersion:
    seats = layouts.validate_layout(decks=plan["decks"], rows=plan["rows"], columns=plan["columns"],
                                    aisle_columns=list(plan.get("aisle_columns", [])), seats=list(plan["seats"]))
    last = layout.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = SeatLayoutVersion.objects.create(
        company_id=layout.company_id, layout=layout, number=last + 1, decks=plan["decks"], rows=plan["rows"],
        columns=plan["columns"], aisle_columns=sorted(set(plan.get("aisle_columns", []))), seats=seats,
        sellable_count=sum(1 for seat in seats if seat["sellable"]),
    )
    layout.current_version = version
    layout.save(update_fields=["current_version"])
    return version


@transaction.atomic
def layout_create(*, principal: Principal, company_id: UUID, name: str, plan: dict[str, Any]) -> SeatLayout:
    company = _company(principal, company_id)
    try:
        with transaction.atomic():  # the unique name decides, also between two creates at once
            layout = SeatLayout.objects.create(company=company, name=name)
    except IntegrityError as exc:
        raise _name_taken(name) from exc
    _new_version(layout, plan)
    return layout


@transaction.atomic
def layout_update(*, principal: Principal, layout_id: UUID, name: str | None = None,
                  plan: dict[str, Any] | None = None) -> SeatLayout:
    """Rename, and/or publish a new version of the seats; trips already made keep the version they have."""
    layout = get_for(principal, SeatLayout.objects.all(), layout_id, MANAGE_FLEET, lock=True)
    if name is not None and name != layout.name:
        save_changes(layout, {"name": name}, taken=_name_taken(name))
    if plan is not None:
        _new_version(layout, plan)
    return layout


@transaction.atomic
def layout_delete(*, principal: Principal, layout_id: UUID) -> None:
    layout = get_for(principal, SeatLayout.objects.all(), layout_id, MANAGE_FLEET, lock=True)
    if layout.buses.exists() or SeatLayoutVersion.objects.filter(layout=layout, trips__isnull=False).exists():
        raise Conflict("Buses or trips use this layout.", code="layout_in_use")
    layout.current_version = None
    layout.save(update_fields=["current_version"])
    layout.delete()


def _name_taken(name: str) -> Conflict:
    return Conflict(f"A layout named {name!r} exists.", code="name_taken", fields={"name": ["Taken."]})


def _layout_of_company(company_id: UUID, layout_id: UUID) -> SeatLayout:
    layout = SeatLayout.objects.filter(company_id=company_id, pk=layout_id).first()
    if layout is None:
        raise NotFound("No such layout in this company.", fields={"layout_id": ["No such layout."]})
    return layout


def _plate_taken(plate: str) -> Conflict:
    return Conflict(f"A bus with plate {plate} exists.", code="plate_taken", fields={"plate": ["Taken."]})


@transaction.atomic
def bus_create(*, principal: Principal, company_id: UUID, plate: str, layout_id: UUID,
               status: str = Bus.Status.ACTIVE, amenities: list[str] | None = None) -> Bus:
    company = _company(principal, company_id)
    layout = _layout_of_company(company.id, layout_id)
    plate = plate.strip().upper()
    try:
        with transaction.atomic():
            return Bus.objects.create(company=company, plate=plate, layout=layout, status=status,
                                      amenities=sorted(set(amenities or [])))
    except IntegrityError as exc:
        raise _plate_taken(plate) from exc


@transaction.atomic
def bus_update(*, principal: Principal, bus_id: UUID, **values: Any) -> Bus:
    """Change plate, status, amenities or layout; trips already made keep their layout version."""
    bus = get_for(principal, Bus.objects.all(), bus_id, MANAGE_FLEET, lock=True)
    if "layout_id" in values:
        bus.layout = _layout_of_company(bus.company_id, values.pop("layout_id"))
        values["layout"] = bus.layout
    if "plate" in values:
        values["plate"] = values["plate"].strip().upper()
    if "amenities" in values:
        values["amenities"] = sorted(set(values["amenities"]))
    save_changes(bus, values, taken=_plate_taken(values.get("plate", bus.plate)))
    return bus


@transaction.atomic
def bus_delete(*, principal: Principal, bus_id: UUID) -> None:
    bus = get_for(principal, Bus.objects.all(), bus_id, MANAGE_FLEET, lock=True)
    delete_unless_used(bus, in_use=Conflict("The bus has trips or schedules; retire it instead.", code="bus_in_use"))
