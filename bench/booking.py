"""How fast seats are held: POST /api/v1/bookings over HTTP from 32 concurrent clients, as holds per second
and p50/p99 latency, on many trips and on one hot trip, next to, in the same run and on the same server: the
write floor (an authenticated POST that validates a small JSON body and inserts one row in one transaction,
from as many clients), a trivial authenticated GET (the read floor), POS devices syncing offline sales in
batches, and the database's raw `INSERT ... ON CONFLICT` rate.

    python bench/booking.py [seconds]

Seeds its own database (created next to the configured one and dropped afterwards): one company, TRIPS
trips of a Nairobi - Nakuru - Kisumu route on a 40-seat coach, fares, and one signed-in passenger per
client. gunicorn (sync workers, config.wsgi) serves it on a free loopback port. Each client holds a random
seat on a random stretch of a random trip with a fresh Idempotency-Key; with TRIPS x 40 seats x 3 stretches
the inventory outlasts a run, and some holds meet a taken seat (409 seat_taken), as real contention does.
On the hot trip every client aims at the same 40 seats: it sells out within the first second or so, and the
rest of the run measures what a rush of losers costs (409s answered from the seat locks and the pre-check).
The POS phase: SYNC_DEVICES devices upload batches of SYNC_BATCH offline sales on trips of their own.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import threading
import time as clock
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402

from apps.auth.services.sessions import access_token_for  # noqa: E402
from bench import floor, gunicorn_server, pos_sync  # noqa: E402
from bench.coach_line import SEATS, bench_database, coach_line, request, serves  # noqa: E402
from transport.testing.network import free_port  # noqa: E402

CLIENTS = 32
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
TRIPS = 100
SYNC_TRIPS = 100
SYNC_DEVICES = 4
SYNC_BATCH = 50
SEED = 20261128


def seed() -> tuple[list[str], list[dict[str, str]], list[str], list[str]]:
    """The trips (the last SYNC_TRIPS for the POS devices), their stretches (stop ids), one bearer token per
    client and one device credential per POS device."""
    line = coach_line(trip_count=TRIPS + SYNC_TRIPS)
    users = get_user_model().objects
    tokens = [access_token_for(users.create_user(email=f"bench{n}@example.test", password=uuid.uuid4().hex,
                                                 full_name=f"Bench passenger {n}")) for n in range(CLIENTS)]
    devices = pos_sync.device_credentials(company_id=line.company_id, clients=SYNC_DEVICES)
    floor.write_floor_table()
    return line.trip_ids, line.stretches, tokens, devices


def _holder(port: int, token: str, trip_ids: list[str], stretches: list[dict], seconds: float, rng: random.Random,
            latencies: list[float], statuses: dict[int, int], lock: threading.Lock) -> None:
    auth = {"Authorization": f"Bearer {token}"}
    deadline = clock.perf_counter() + seconds
    while clock.perf_counter() < deadline:
        body = {"trip_id": rng.choice(trip_ids), **rng.choice(stretches),
                "passengers": [{"name": "Bench Rider", "phone": "+254700000009", "seat": rng.choice(SEATS)}]}
        started = clock.perf_counter()
        status, _answer = request(port, "POST", "/api/v1/bookings", {**auth, "Idempotency-Key": uuid.uuid4().hex},
                                  body)
        elapsed = clock.perf_counter() - started
        with lock:
            latencies.append(elapsed)
            statuses[status] = statuses.get(status, 0) + 1


def measure_holds(port: int, trip_ids, stretches, tokens, seconds: float,
                  seed: int) -> tuple[list[float], dict[int, int], float]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    threads = [threading.Thread(target=_holder, args=(port, token, trip_ids, stretches, seconds,
                                                      random.Random(seed * 1000 + n), latencies, statuses, lock))
               for n, token in enumerate(tokens)]
    started = clock.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, statuses, clock.perf_counter() - started


def trivial_rate(port: int, tokens: list[str], seconds: float) -> float:
    """The read floor: an authenticated GET that does nothing else, from as many clients."""
    counts = [0] * CLIENTS

    def run(n: int) -> None:
        deadline = clock.perf_counter() + seconds
        auth = {"Authorization": f"Bearer {tokens[n]}"}
        while clock.perf_counter() < deadline:
            request(port, "GET", floor.TRIVIAL_URL, auth)
            counts[n] += 1

    threads = [threading.Thread(target=run, args=(n,)) for n in range(CLIENTS)]
    started = clock.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / (clock.perf_counter() - started)


def _writer(port: int, token: str, trip_ids: list[str], seconds: float, rng: random.Random, latencies: list[float],
            statuses: dict[int, int], lock: threading.Lock) -> None:
    auth = {"Authorization": f"Bearer {token}"}
    deadline = clock.perf_counter() + seconds
    while clock.perf_counter() < deadline:
        body = {"trip_id": rng.choice(trip_ids), "seat": rng.choice(SEATS), "name": "Bench Rider",
                "phone": "+254700000009"}
        started = clock.perf_counter()
        status, _answer = request(port, "POST", floor.WRITE_URL, auth, body)
        elapsed = clock.perf_counter() - started
        with lock:
            latencies.append(elapsed)
            statuses[status] = statuses.get(status, 0) + 1


def measure_writes(port: int, trip_ids: list[str], tokens: list[str], seconds: float,
                   seed: int) -> tuple[list[float], dict[int, int], float]:
    """The write floor, from as many clients as the holds."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    threads = [threading.Thread(target=_writer, args=(port, token, trip_ids, seconds, random.Random(seed * 1000 + n),
                                                      latencies, statuses, lock))
               for n, token in enumerate(tokens)]
    started = clock.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, statuses, clock.perf_counter() - started


def _summary(name: str, latencies: list[float], statuses: dict[int, int], elapsed: float,
             what: str = "holds") -> tuple[float, str]:
    latencies = sorted(latencies)
    rate = len(latencies) / elapsed
    done = statuses.get(201, 0) / elapsed
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000
    return done, (f"  {name}: {rate:,.0f} requests/s, {done:,.0f} {what}/s; p50 {p50:.1f} ms, p99 {p99:.1f} ms "
                  f"(p99/p50 {p99 / p50:.1f}); answers {dict(sorted(statuses.items()))}")


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0
    server = None
    with bench_database("booking") as name:
        try:
            trip_ids, stretches, tokens, devices = seed()
            hold_trips, sync_trips = trip_ids[:TRIPS], trip_ids[TRIPS:]
            connection.close()
            port = free_port()
            server = gunicorn_server.start(app="bench.coach_line:wsgi_app()", port=port, workers=WORKERS,
                                           env={"BENCH_DATABASE_NAME": name}, answers=serves)
            measure_holds(port, hold_trips[-5:], stretches, tokens, 1.0, seed=SEED)  # warm the workers' connections
            measure_writes(port, hold_trips, tokens, 1.0, seed=SEED)
            many = measure_holds(port, hold_trips[1:-5], stretches, tokens, seconds, seed=SEED + 1)
            writes = measure_writes(port, hold_trips, tokens, seconds, seed=SEED + 1)
            hot = measure_holds(port, hold_trips[:1], stretches, tokens, min(seconds, 5.0), seed=SEED + 2)
            trivial = trivial_rate(port, tokens, min(seconds, 5.0))
            synced, synced_elapsed = pos_sync.synced_rate(port, devices, sync_trips, stretches, batch=SYNC_BATCH,
                                                          seconds=seconds, seed=SEED + 3)
        finally:
            if server is not None:
                gunicorn_server.stop(server)
        raw = floor.raw_insert_rate(seconds=min(seconds, 5.0), threads=CLIENTS)
    held, many_line = _summary("many trips", *many)
    _hot_held, hot_line = _summary("one hot trip", *hot)
    written, write_line = _summary(f"write floor (authenticated POST {floor.WRITE_URL}, one row)", *writes,
                                   what="rows")
    print(f"booking bench: {CLIENTS} clients, gunicorn {WORKERS} sync workers, {TRIPS} trips x {len(SEATS)} seats "
          f"x {len(stretches)} stretches, {seconds:.0f} s")
    print(many_line)
    print(hot_line)
    print(write_line)
    print(f"  holds/write floor = {held / written:.2f}")
    print(f"  read floor (authenticated GET {floor.TRIVIAL_URL}, same server): {trivial:,.0f}/s; "
          f"holds/read floor = {held / trivial:.2f}")
    sync_rate = pos_sync.report(f"POS sync ({SYNC_DEVICES} devices, batches of {SYNC_BATCH}, {SYNC_TRIPS} trips)",
                                synced, synced_elapsed)
    print(f"  synced sales/online holds = {sync_rate / held:.2f}")
    print(f"  raw INSERT ... ON CONFLICT commits ({CLIENTS} connections): {raw:,.0f}/s; holds/raw = {held / raw:.2f}")


if __name__ == "__main__":
    main()
