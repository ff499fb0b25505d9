"""What the HTTP benchmarks share: a database of their own, one coach line to sell on, a plain JSON client,
the gunicorn entry that serves the project (with the trivial floor view) on that database, and the uvicorn entry
that serves its websockets there.

    with bench_database("booking") as name:        # <configured>_bench_booking, migrated, dropped afterwards
        line = coach_line(trip_count=100)           # a company, a 40-seat coach, Nairobi - Nakuru - Kisumu
        ...                                         # serve it: gunicorn_server.start(app="bench.coach_line:wsgi_app()",
                                                    #   env={"BENCH_DATABASE_NAME": name}, ...)
"""

from __future__ import annotations

import http.client
import json
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()  # gunicorn imports this module first, for wsgi_app()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from apps.company import layouts  # noqa: E402
from apps.company.models import Company  # noqa: E402
from apps.company.services import fleet, network, trips  # noqa: E402
from apps.ticketing.models import Fare  # noqa: E402
from transport.principal import Principal  # noqa: E402

SEATS = [f"{row}{letter}" for row in range(1, 11) for letter in "ABCD"]
TOWNS = [("Nairobi", "0", 0), ("Nakuru", "160", 150), ("Kisumu", "350", 360)]
# KES cents by (boarding town index, alighting town index)
FARES = {(0, 1): 80_000, (1, 2): 70_000, (0, 2): 140_000}
_CHANNELS_PREFIX = settings.CHANNEL_LAYERS["default"].get("CONFIG", {}).get("prefix", "transport")
ACTOR = Principal.system("bench", {"company.manage_fleet", "company.manage_network", "company.manage_trips",
                                   "identity.manage_devices"})


def wsgi_app():
    """gunicorn's entry (`bench.coach_line:wsgi_app()`): the project's WSGI application on the bench database
    (BENCH_DATABASE_NAME), its routes plus GET /bench/trivial, no cap on one holder's live holds."""
    settings.DATABASES["default"]["NAME"] = os.environ["BENCH_DATABASE_NAME"]
    settings.ROOT_URLCONF = "bench.floor"
    settings.TICKETING_MAX_ACTIVE_HOLDS_PER_USER = 1_000_000
    settings.TICKETING_MAX_ACTIVE_HOLDS_PER_DEVICE = 1_000_000
    logging.getLogger("redis_lock").setLevel(logging.WARNING)  # it logs every acquire at INFO
    from config.wsgi import application

    return application


def bench_channel_layers() -> dict[str, dict[str, Any]]:
    """CHANNEL_LAYERS on the configured Redis for a websocket bench: the project's, under a prefix of its own (pub/sub
    channels are server-wide: a bench must not hear, or be heard by, a server running beside it)."""
    return {"default": {**settings.CHANNEL_LAYERS["default"],
                        "CONFIG": {"hosts": [settings.REDIS_URL], "prefix": f"{_CHANNELS_PREFIX}.bench"}}}


def asgi_app():
    """uvicorn's entry (`--factory bench.coach_line:asgi_app`): the project's ASGI application on the bench database
    (BENCH_DATABASE_NAME) and channel layer prefix (see `bench_channel_layers`). Settings are loaded
    before config.asgi is imported here, so its database pool default must come in the environment
    (DB_POOL_MAX_SIZE), as the websocket bench starts it."""
    settings.DATABASES["default"]["NAME"] = os.environ["BENCH_DATABASE_NAME"]
    settings.CHANNEL_LAYERS = bench_channel_layers()
    from config.asgi import application

    return application


def _switch_to(name: str) -> None:
    connection.close()
    connection.settings_dict["NAME"] = name


def _on_server(sql: str) -> None:
    """CREATE / DROP DATABASE, from the server's maintenance database."""
    current = connection.settings_dict["NAME"]
    _switch_to("postgres")
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
    finally:
        _switch_to(current)


@contextmanager
def bench_database(suffix: str) -> Iterator[str]:
    """A fresh, migrated database next to the configured one, in use inside the block and dropped after it."""
    original = connection.settings_dict["NAME"]
    name = f"{original}_bench_{suffix}"
    _on_server(f'DROP DATABASE IF EXISTS "{name}"')
    _on_server(f'CREATE DATABASE "{name}"')
    try:
        _switch_to(name)
        call_command("migrate", verbosity=0)
        yield name
    finally:
        _switch_to(original)
        _on_server(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # a bench's worker may still hold a connection


@dataclass(frozen=True)
class CoachLine:
    company_id: UUID
    route_id: UUID
    stops: list[UUID]  # in route order
    trip_ids: list[str]  # one a day, 08:00, from the day after tomorrow (or `first_day`)
    stretches: list[dict[str, str]]  # {"from_stop_id", "to_stop_id"} for every priced stretch


def coach_line(*, trip_count: int, slug: str = "bench-coaches", days_ahead: int = 2) -> CoachLine:
    """A company with one 40-seat coach on Nairobi - Nakuru - Kisumu, fares for each stretch, and trips."""
    company = Company.objects.create(name=slug.replace("-", " ").title(), slug=slug, country="KE", currency="KES",
                                     timezone="Africa/Nairobi")
    layout = fleet.layout_create(principal=ACTOR, company_id=company.id, name="40-seat coach",
                                 plan=layouts.grid_layout(rows=10, left=2, right=2, seat_class="standard"))
    bus = fleet.bus_create(principal=ACTOR, company_id=company.id, plate="KBN 001A", layout_id=layout.id)
    stops = [network.stop_create(principal=ACTOR, company_id=company.id, name=f"{town} Stage", town=town,
                                 latitude=Decimal("-1.0"), longitude=Decimal("36.0"), timezone="Africa/Nairobi").id
             for town, _, _ in TOWNS]
    route = network.route_create(principal=ACTOR, company_id=company.id, name="Nairobi - Kisumu", code="NBI-KSM",
                                 stops=[{"stop_id": stop, "distance_km": km, "minutes_from_origin": minutes}
                                        for stop, (_, km, minutes) in zip(stops, TOWNS, strict=True)])
    for (board, alight), amount in FARES.items():
        Fare.objects.create(company_id=company.id, route_id=route.id, from_stop_id=stops[board],
                            to_stop_id=stops[alight], seat_class="standard", amount_minor=amount, currency="KES")
    first_day = datetime.now(UTC).date() + timedelta(days=days_ahead)
    trip_ids = [str(trips.trip_create(principal=ACTOR, company_id=company.id, route_id=route.id, bus_id=bus.id,
                                      service_date=first_day + timedelta(days=day), departure_time=time(8, 0)).id)
                for day in range(trip_count)]
    stretches = [{"from_stop_id": str(stops[a]), "to_stop_id": str(stops[b])} for a, b in FARES]
    return CoachLine(company_id=company.id, route_id=route.id, stops=stops, trip_ids=trip_ids, stretches=stretches)


def request(port: int, method: str, path: str, headers: dict[str, str], body: dict | str | None = None,
            timeout: float = 120) -> tuple[int, dict]:
    """One JSON request on a new connection (sync workers close each one, as behind the gateway); a str body is
    sent as it is (JSON the caller encoded)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        payload = body if isinstance(body, str) or body is None else json.dumps(body)
        conn.request(method, path, body=payload, headers={"Content-Type": "application/json", **headers})
        response = conn.getresponse()
        raw = response.read()
        return response.status, (json.loads(raw) if raw else {})
    finally:
        conn.close()


def serves(port: int) -> bool:
    return request(port, "GET", "/health/live", {}, timeout=5)[0] == 200
