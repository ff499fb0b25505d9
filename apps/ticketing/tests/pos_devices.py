"""POS devices and their sales in ticketing's tests: real devices registered through identity, real credentials."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.utils import timezone
from rest_framework.test import APIClient

from apps.auth import api as auth_api
from tests.worlds.ticketing import SalesWorld
from transport.principal import Principal

SYNC = "/api/v1/pos/sync"
SALES = "/api/v1/pos/sales"
MY_ALLOTMENTS = "/api/v1/pos/allotments"


@dataclass
class Device:
    id: UUID
    credential: str

    def client(self) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Device {self.credential}")
        return client

    def principal(self) -> Principal:
        return auth_api.principal_from_device_credential(credential=self.credential)


def register(world: SalesWorld, role: str = "agent", name: str = "Roadside POS") -> Device:
    """A device of the world's company for its agent (or driver), registered by its admin over the API."""
    response = world.client("company_admin").post(
        "/api/v1/auth/devices", {"company_id": str(world.company_id), "user_id": str(world.users[role].pk),
                                 "role": role, "name": name}, format="json")
    assert response.status_code == 201, response.json()
    return Device(id=UUID(response.json()["id"]), credential=response.json()["credential"])


def revoke(world: SalesWorld, device: Device) -> None:
    response = world.client("company_admin").post(f"/api/v1/auth/devices/{device.id}/revoke")
    assert response.status_code == 200, response.json()


def sale(world: SalesWorld, *seats: str, board: str = "Nairobi", alight: str = "Kisumu", sale_id: UUID | None = None,
         made_at: datetime | None = None, cash_minor: int | None = None, trip_id: UUID | None = None) -> dict:
    """One offline sale as a device uploads it."""
    return {"id": str(sale_id or uuid.uuid4()), "made_at": (made_at or timezone.now()).isoformat(),
            "trip_id": str(trip_id or world.trip_id), "from_stop_id": str(world.stops[board]),
            "to_stop_id": str(world.stops[alight]), "cash_minor": cash_minor,
            "passengers": [{"name": f"Rider {seat}", "phone": "+254700000004", "seat": seat} for seat in seats]}


def online_sale(world: SalesWorld, *seats: str, board: str = "Nairobi", alight: str = "Kisumu",
                sale_id: UUID | None = None, cash_minor: int | None = None) -> dict:
    body: dict[str, object] = {"trip_id": str(world.trip_id), "from_stop_id": str(world.stops[board]),
            "to_stop_id": str(world.stops[alight]),
            "passengers": [{"name": f"Rider {seat}", "phone": "+254700000004", "seat": seat} for seat in seats]}
    if sale_id is not None:
        body["sale_id"] = str(sale_id)
    if cash_minor is not None:
        body["cash_minor"] = cash_minor
    return body


def sync(device: Device, *sales: dict):
    return device.client().post(SYNC, {"sales": list(sales)}, format="json")


def sell(device: Device, body: dict, key: str | None = None):
    return device.client().post(SALES, body, format="json", HTTP_IDEMPOTENCY_KEY=key or uuid.uuid4().hex)


def allot(world: SalesWorld, device: Device, *seats: str, who: str = "dispatcher", key: str | None = None):
    return world.client(who).post(f"/api/v1/trips/{world.trip_id}/allotments",
                                  {"device_id": str(device.id), "seats": list(seats)}, format="json",
                                  HTTP_IDEMPOTENCY_KEY=key or uuid.uuid4().hex)
