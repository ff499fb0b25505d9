"""The world the schema test calls into: a coach company's trip with a sold ticket, a rostered driver's phone and
the agent's POS terminal, and the four callers (passenger, company admin, POS device, anonymous) with their headers.

Ids in paths, queries and bodies are swapped, some of the time, for ids of these rows, so generated requests reach
real objects and not only 404s.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from apps.auth.services.sessions import access_token_for
from tests.worlds.boarding import device, roster, ticket
from tests.worlds.ticketing import SalesWorld, build_sales_world

COMPANY_SLUG = "schema-coach-line"
CALLERS = ("passenger", "company_admin", "pos_device", "anonymous")

# `{id}` names the collection before it: /company/buses/{id} is a bus
_COLLECTION_IDS = {"buses": "bus_id", "trips": "trip_id", "routes": "route_id", "stops": "stop_id",
                   "companies": "company_id"}


@dataclass
class SeededWorld:
    world: SalesWorld
    ids: dict[str, Any]
    headers: dict[str, dict[str, str]] = field(default_factory=dict)

    def real_values(self, generated: Any) -> Any:
        """A generated query or body with every field named for a row we hold (trip_id, from_stop_id, ...) set to
        that row's id."""
        if not isinstance(generated, dict):
            return generated
        return {name: str(self.ids[name]) if name in self.ids else value for name, value in generated.items()}

    def real_path_parameters(self, path: str, generated: dict[str, Any]) -> dict[str, Any]:
        """The generated path parameters with every one we hold a row for replaced by that row's id."""
        segments = path.strip("/").split("/")
        chosen = dict(generated)
        for name in generated:
            key = name
            if name == "id":
                before = segments[segments.index("{id}") - 1]
                key = _COLLECTION_IDS.get(before, "")
            if key in self.ids:
                chosen[name] = str(self.ids[key])
        return chosen


def build_seeded_world() -> SeededWorld:
    world = build_sales_world(COMPANY_SLUG)
    sold = ticket(world, "1A")
    driver = device(world, world.users["driver"])
    roster(world, world.users["driver"])
    pos = device(world, world.users["agent"], role="agent")
    ids: dict[str, UUID | str] = {
        "trip_id": world.trip_id, "booking_id": sold.booking_id, "ticket_id": sold.id, "company_id": world.company_id,
        "user_id": world.users["agent"].pk, "device_id": driver.id, "bus_id": world.bus_id, "route_id": world.route_id,
        "stop_id": world.stops["Nakuru"], "slug": COMPANY_SLUG, "from_stop_id": world.stops["Nairobi"],
        "to_stop_id": world.stops["Kisumu"],
    }
    headers = {
        "passenger": {"Authorization": f"Bearer {access_token_for(world.users['passenger'])}"},
        "company_admin": {"Authorization": f"Bearer {access_token_for(world.users['company_admin'])}"},
        "pos_device": {"Authorization": f"Device {pos.credential}"},
        "anonymous": {},
    }
    return SeededWorld(world=world, ids=ids, headers=headers)
