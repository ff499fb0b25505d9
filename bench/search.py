"""How fast passengers can search: company.api.trips_between over 50 companies x 20 routes x 30 days of
trips, as queries per second and p50/p99 latency, next to a bare `SELECT 1` on the same connection.

    python bench/search.py [seconds]

Seeds its own database (created next to the configured one and dropped afterwards) with bulk inserts,
then runs searches between random towns on random days, in-process, one connection.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time as clock
import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from apps.company import api, layouts  # noqa: E402
from apps.company.models import (  # noqa: E402
    Bus,
    Company,
    Route,
    RouteStop,
    SeatLayout,
    SeatLayoutVersion,
    Stop,
    Trip,
    TripStop,
)
from bench.coach_line import bench_database  # noqa: E402

COMPANIES, ROUTES, DAYS = 50, 20, 30
TOWNS = {  # town: (latitude, longitude)
    "Nairobi": (-1.2864, 36.8172), "Nakuru": (-0.3031, 36.0800), "Eldoret": (0.5143, 35.2698),
    "Kisumu": (-0.0917, 34.7680), "Mombasa": (-4.0435, 39.6682), "Kampala": (0.3476, 32.5825),
    "Thika": (-1.0333, 37.0693), "Naivasha": (-0.7167, 36.4333), "Kericho": (-0.3677, 35.2831),
    "Kitale": (1.0157, 35.0062), "Malindi": (-3.2192, 40.1169), "Jinja": (0.4244, 33.2042),
}
TZ = "Africa/Nairobi"
SEED = 20261128


def _admin(sql: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql)


def seed(rng: random.Random, first_day: date) -> list[tuple[str, str]]:
    """Bulk-insert the world; return the (from town, to town) pairs some route serves in that order."""
    plan = layouts.grid_layout(rows=11, left=2, right=2, back_row=5, seat_class="standard")
    pairs: set[tuple[str, str]] = set()
    towns = list(TOWNS)
    for number in range(COMPANIES):
        company = Company.objects.create(name=f"Bench {number}", slug=f"bench-{number}", country="KE",
                                         currency="KES", timezone=TZ)
        layout = SeatLayout.objects.create(company=company, name="49-seat standard")
        version = SeatLayoutVersion.objects.create(company=company, layout=layout, number=1, decks=1,
                                                   rows=plan["rows"], columns=plan["columns"],
                                                   aisle_columns=plan["aisle_columns"], seats=plan["seats"],
                                                   sellable_count=49)
        stops = {town: Stop(company=company, name=f"{town} {number}", town=town, latitude=Decimal(str(lat)),
                            longitude=Decimal(str(lng)), timezone=TZ) for town, (lat, lng) in TOWNS.items()}
        Stop.objects.bulk_create(stops.values())
        buses = Bus.objects.bulk_create(Bus(company=company, plate=f"KB{number:02d} {r:03d}", layout=layout)
                                        for r in range(ROUTES))
        routes, route_stops, trips, trip_stops = [], [], [], []
        for r in range(ROUTES):
            visited = rng.sample(towns, rng.randint(2, 5))
            pairs.update((a, b) for i, a in enumerate(visited) for b in visited[i + 1:])
            route = Route(company=company, name=f"Route {r}", code=f"R{r}")
            routes.append(route)
            minutes = [0, *sorted(rng.sample(range(30, 720), len(visited) - 1))]
            legs = [(stops[town].id, Decimal(m), m) for town, m in zip(visited, minutes, strict=True)]
            route_stops += [RouteStop(route=route, sequence=i + 1, stop_id=s, distance_km=km, minutes_from_origin=m)
                            for i, (s, km, m) in enumerate(legs)]
            departure = time(rng.randint(5, 11), rng.choice([0, 15, 30, 45]))
            for day in range(DAYS):
                service_date = first_day + timedelta(days=day)
                start = datetime.combine(service_date, departure, tzinfo=UTC) - timedelta(hours=3)
                trip = Trip(id=uuid.uuid4(), company=company, route=route, bus=buses[r], layout_version=version,
                            service_date=service_date, departure_at=start,
                            arrival_at=start + timedelta(minutes=minutes[-1]))
                trips.append(trip)
                trip_stops += [TripStop(trip_id=trip.id, sequence=i + 1, stop_id=s, distance_km=km,
                                        arrive_at=start + timedelta(minutes=m), depart_at=start + timedelta(minutes=m))
                               for i, (s, km, m) in enumerate(legs)]
        Route.objects.bulk_create(routes)
        RouteStop.objects.bulk_create(route_stops)
        Trip.objects.bulk_create(trips, batch_size=2000)
        TripStop.objects.bulk_create(trip_stops, batch_size=5000)
    _admin("ANALYZE")
    return sorted(pairs)


def measure(seconds: float, pairs: list[tuple[str, str]], first_day: date, rng: random.Random):
    latencies, results = [], 0
    deadline = clock.perf_counter() + seconds
    while clock.perf_counter() < deadline:
        from_town, to_town = rng.choice(pairs)
        on = first_day + timedelta(days=rng.randrange(DAYS))
        started = clock.perf_counter()
        offers = api.trips_between(on=on, from_town=from_town, to_town=to_town)
        latencies.append(clock.perf_counter() - started)
        results += len(offers)
    return latencies, results


def select_one_rate(seconds: float) -> float:
    count, deadline = 0, clock.perf_counter() + seconds
    started = clock.perf_counter()
    with connection.cursor() as cursor:
        while clock.perf_counter() < deadline:
            cursor.execute("SELECT 1")
            cursor.fetchone()
            count += 1
    return count / (clock.perf_counter() - started)


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 5.0
    with bench_database("search"):
        rng = random.Random(SEED)
        first_day = datetime.now(UTC).date() + timedelta(days=1)
        started = clock.perf_counter()
        pairs = seed(rng, first_day)
        seeded = clock.perf_counter() - started
        measure(0.5, pairs, first_day, rng)  # warm up
        with CaptureQueriesContext(connection) as queries:
            api.trips_between(on=first_day, from_town="Nairobi", to_town="Kampala")
        latencies, results = measure(seconds, pairs, first_day, rng)
        floor = select_one_rate(1.0)
        trip_count, stop_count = Trip.objects.count(), TripStop.objects.count()
    latencies.sort()
    qps = len(latencies) / sum(latencies)
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
    print(f"search bench: {COMPANIES} companies x {ROUTES} routes x {DAYS} days = {trip_count} trips, "
          f"{stop_count} trip stops (seeded in {seeded:.1f}s)")
    print(f"  trips_between    {qps:8.0f} searches/s   p50 {p50:6.2f} ms   p99 {p99:6.2f} ms   "
          f"{len(queries.captured_queries)} query per call   {results / len(latencies):.1f} offers per search")
    print(f"  SELECT 1         {floor:8.0f} queries/s   ratio {qps / floor:5.2f}")


if __name__ == "__main__":
    main()
