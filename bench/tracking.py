"""How fast positions are taken in: driver batches over HTTP (POST /api/v1/tracking/positions) from CLIENTS driver
devices, each driving its own bus, beside raw COPY into the same history table, in the same run.

    python bench/tracking.py [seconds] [--batch N]

Seeds its own database (created next to the configured one and dropped afterwards): one company per client (a
trip, its rostered driver and the driver's phone), and the history's daily partitions. gunicorn (sync workers)
serves the project. Each client sends batches of --batch points (100 by default: a phone buffering about three
minutes at one fix every 2 s) 20 m and 2 s apart along a straight road, so the filters accept them; every point
is filtered, the newest moves the live position in Redis, all go to history in one COPY. The clients all drive
the same road from the same moment, so their n-th batches differ only in the trip: each batch's points are
encoded to JSON once and shared, and the load generator, on the same cores as the server, spends its time
sending rather than encoding the same points sixteen times. The websocket fan-out (deliveries/s, latency,
losses) and memory per open websocket are measured by bench/tracking_websockets.py.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import threading
import time as clock
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from apps.tracking.history.partitions import partitions_ensure  # noqa: E402
from apps.tracking.history.writer import COPY_SQL  # noqa: E402
from apps.tracking.models import HISTORY_TABLE  # noqa: E402
from bench import gunicorn_server  # noqa: E402
from bench.coach_line import bench_database, request, serves  # noqa: E402
from tests.worlds.boarding import device, roster  # noqa: E402
from tests.worlds.ticketing import build_sales_world  # noqa: E402
from transport.testing.network import free_port  # noqa: E402

CLIENTS = 16
BATCH = 100  # the headline: what a phone buffering about three minutes at one fix every 2 s sends
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
STEP_DEGREES = 0.00018  # about 20 m of latitude
STEP_SECONDS = 2


def seed() -> list[tuple[str, str]]:
    """(device credential, trip id) of each client's driver."""
    drivers = []
    for _ in range(CLIENTS):
        world = build_sales_world()
        roster(world, world.users["driver"])
        drivers.append((device(world, world.users["driver"]).credential, str(world.trip_id)))
    partitions_ensure(days_ahead=2, today=datetime.now(UTC).date())
    return drivers


class SharedBatches:
    """The JSON of the points of each client's n-th batch, encoded once for all of them."""

    def __init__(self, size: int, started_at: datetime) -> None:
        self.size, self.started_at = size, started_at
        self._encoded: dict[int, str] = {}
        self._lock = threading.Lock()

    def points(self, number: int) -> str:
        with self._lock:
            encoded = self._encoded.get(number)
            if encoded is None:
                encoded = self._encoded[number] = json.dumps(self._points(number))
            return encoded

    def _points(self, number: int) -> list[dict[str, object]]:
        points = []
        for step in range(number * self.size, (number + 1) * self.size):
            at = self.started_at + timedelta(seconds=STEP_SECONDS * step)
            points.append({"lat": -1.0 + STEP_DEGREES * step, "lon": 36.8, "fixed_at": at.isoformat(),
                           "speed_kmh": 36.0, "heading": 0.0, "accuracy_m": 5.0})
        return points


def _driver(port: int, credential: str, trip_id: str, deadline: float, batches: SharedBatches,
            latencies: list[float], counts: dict[str, int], lock: threading.Lock) -> None:
    auth = {"Authorization": f"Device {credential}"}
    number = 0
    while clock.perf_counter() < deadline:
        body = f'{{"trip_id": "{trip_id}", "points": {batches.points(number)}}}'
        number += 1
        began = clock.perf_counter()
        status, answer = request(port, "POST", "/api/v1/tracking/positions", auth, body)
        with lock:
            latencies.append(clock.perf_counter() - began)
            counts[str(status)] = counts.get(str(status), 0) + 1
            for outcome in answer.get("points", []) if status == 200 else []:
                counts[outcome["outcome"]] = counts.get(outcome["outcome"], 0) + 1


def measure_ingestion(port: int, drivers: list[tuple[str, str]], seconds: float,
                      batch: int = BATCH) -> tuple[float, dict[str, int], list[float]]:
    latencies: list[float] = []
    counts: dict[str, int] = {}
    lock = threading.Lock()
    deadline = clock.perf_counter() + seconds
    # the fixes start days ago, so that every one is in the past and none too old (a week, by default): the
    # clients' time runs a few thousand times faster than the clock, and a minute's run fits
    batches = SharedBatches(batch, datetime.now(UTC) - timedelta(days=6))
    threads = [threading.Thread(target=_driver, args=(port, credential, trip_id, deadline, batches, latencies,
                                                      counts, lock)) for credential, trip_id in drivers]
    began = clock.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return clock.perf_counter() - began, counts, latencies


def raw_copy_rate(rows: int) -> float:
    """Rows per second of one COPY of `rows` history rows, straight into the table."""
    now = datetime.now(UTC)
    company, bus = uuid.uuid4(), uuid.uuid4()
    lines = io.StringIO()
    for n in range(rows):
        lines.write(f"{company}\t{bus}\t\\N\tbench\t{-1.0 + STEP_DEGREES * n}\t36.8\t"
                    f"{(now - timedelta(seconds=n)).isoformat()}\t{now.isoformat()}\t36\t0\t\\N\t5\t\\N\tf\n")
    data = lines.getvalue()  # the writer's columns, in its order
    began = clock.perf_counter()
    with connection.cursor() as cursor, cursor.cursor.copy(COPY_SQL) as copy:  # the psycopg cursor under Django's
        copy.write(data)
    return rows / (clock.perf_counter() - began)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("seconds", nargs="?", type=float, default=10.0)
    parser.add_argument("--batch", type=int, default=BATCH, help="points per batch (at most TRACKING_MAX_BATCH)")
    options = parser.parse_args()
    seconds, batch = options.seconds, options.batch
    server = None
    with bench_database("tracking") as name:
        try:
            drivers = seed()
            connection.close()
            port = free_port()
            server = gunicorn_server.start(app="bench.coach_line:wsgi_app()", port=port, workers=WORKERS,
                                           env={"BENCH_DATABASE_NAME": name}, answers=serves)
            elapsed, counts, latencies = measure_ingestion(port, drivers, seconds, batch)
        finally:
            if server is not None:
                gunicorn_server.stop(server)
        ingested = counts.get("accepted", 0) + counts.get("late", 0)
        raw = raw_copy_rate(max(ingested, 50_000))
    latencies.sort()
    rate = ingested / elapsed
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000
    print(f"tracking bench: {CLIENTS} driver devices, batches of {batch}, gunicorn {WORKERS} sync workers, "
          f"{seconds:.0f} s")
    print(f"  points ingested over HTTP: {rate:,.0f}/s ({len(latencies) / elapsed:,.0f} batches/s; p50 {p50:.1f} ms, "
          f"p99 {p99:.1f} ms per batch); answers {dict(sorted(counts.items()))}")
    print(f"  raw COPY into {HISTORY_TABLE}: {raw:,.0f} rows/s; ingested/raw COPY = {rate / raw:.2f}")


if __name__ == "__main__":
    main()
