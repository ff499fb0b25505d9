"""How fast offline POS sales are synced: POST /api/v1/pos/sync over HTTP, as sales per second and batch
latency p50/p99, next to the database's raw one-row INSERT ... ON CONFLICT DO NOTHING commit rate measured in
the same run (each synced sale is one such claim of its UUID plus the hold, confirmation and tickets).

    python bench/pos_sync.py [--seconds S] [--batch N] [--clients C] [--workers W] [--trips T]

Seeds its own database (created next to the configured one and dropped afterwards): one company, T trips of a
Nairobi - Nakuru - Kisumu route on a 40-seat coach, fares, and one agent with a registered POS device per
client. gunicorn (sync workers, config.wsgi) serves it on a free loopback port. Each client uploads batches of
N fresh offline sales (a random seat on a random stretch of a random trip, made a few minutes ago) for S
seconds; seats already taken are reseated or rejected, as a real sync meets them. Then every batch is
uploaded again: the replay path (each UUID already decided) is what a device retrying after a lost answer
costs.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import threading
import time as clock
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402

from apps.auth.services import devices, members  # noqa: E402
from bench import floor, gunicorn_server  # noqa: E402
from bench.coach_line import ACTOR, SEATS, bench_database, coach_line, request, serves  # noqa: E402
from transport.testing.network import free_port  # noqa: E402

SEED = 20261201


def seed(*, trip_count: int, clients: int) -> tuple[list[str], list[dict[str, str]], list[str]]:
    """The trips, their stretches (stop ids) and one device credential per client."""
    line = coach_line(trip_count=trip_count)
    return line.trip_ids, line.stretches, device_credentials(company_id=line.company_id, clients=clients)


def device_credentials(*, company_id, clients: int) -> list[str]:
    """One agent with a registered POS device of the company per client: their device credentials."""
    users = get_user_model().objects
    credentials = []
    for n in range(clients):
        agent = users.create_user(email=f"agent{n}@example.test", password=uuid.uuid4().hex,
                                  full_name=f"Bench agent {n}")
        members.membership_grant(company_id=company_id, user_id=agent.pk, roles=["agent"], actor_id=None)
        credentials.append(devices.device_register(principal=ACTOR, company_id=company_id, user_id=agent.pk,
                                                   role="agent", name=f"Bench POS {n}").credential)
    return credentials


def synced_rate(port: int, credentials: list[str], trip_ids: list[str], stretches: list[dict], *, batch: int,
                seconds: float, seed: int) -> tuple[Tally, float]:
    """Fresh batches of offline sales uploaded by every device for `seconds`: the tally and the time taken."""
    rngs = [random.Random(seed * 1000 + n) for n in range(len(credentials))]
    makers = [lambda rng=rng: _batch(rng, trip_ids, stretches, batch) for rng in rngs]
    return measure(port, credentials, [[] for _ in credentials], makers, seconds)


def _batch(rng: random.Random, trip_ids: list[str], stretches: list[dict], size: int) -> list[dict]:
    now = datetime.now(UTC)
    return [{"id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "trip_id": rng.choice(trip_ids),
             **rng.choice(stretches), "made_at": (now - timedelta(minutes=rng.randint(1, 120))).isoformat(),
             "cash_minor": 80_000,
             "passengers": [{"name": "Bench Rider", "phone": "+254700000009", "seat": rng.choice(SEATS)}]}
            for _ in range(size)]


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.outcomes: Counter = Counter()
        self.statuses: Counter = Counter()
        self.sales = 0
        self.decided: dict[str, tuple] = {}  # sale id -> (outcome, booking, seats) as answered

    def add(self, status: int, answer: dict, sales: int, elapsed: float) -> None:
        with self.lock:
            self.latencies.append(elapsed)
            self.statuses[status] += 1
            if status == 200:
                self.sales += sales
                self.outcomes.update(f"{r['outcome']}{':' + r['reason'] if r['reason'] else ''}"
                                     for r in answer["results"])
                self.decided.update((r["id"], (r["outcome"], r["booking_id"], tuple(r["seats"])))
                                    for r in answer["results"])


def _uploader(port: int, credential: str, batches: list[list[dict]], make, seconds: float | None,
              tally: Tally) -> None:
    """Upload batches: fresh ones from `make` for `seconds` (kept in `batches`), or the given ones again."""
    auth = {"Authorization": f"Device {credential}"}
    deadline = clock.perf_counter() + seconds if seconds is not None else None
    replay = list(batches)
    while True:
        if deadline is not None:
            if clock.perf_counter() >= deadline:
                return
            sales = make()
            batches.append(sales)
        elif replay:
            sales = replay.pop(0)
        else:
            return
        started = clock.perf_counter()
        status, answer = request(port, "POST", "/api/v1/pos/sync", auth, {"sales": sales})
        tally.add(status, answer, len(sales), clock.perf_counter() - started)


def measure(port: int, credentials: list[str], per_client: list[list[list[dict]]], makers, seconds: float | None):
    tally = Tally()
    threads = [threading.Thread(target=_uploader, args=(port, credential, per_client[n], makers[n], seconds, tally))
               for n, credential in enumerate(credentials)]
    started = clock.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally, clock.perf_counter() - started


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * fraction) - 1)] if ordered else 0.0


def report(label: str, tally: Tally, elapsed: float) -> float:
    rate = tally.sales / elapsed if elapsed else 0.0
    p50 = statistics.median(tally.latencies) * 1000 if tally.latencies else 0.0
    p99 = _percentile(tally.latencies, 0.99) * 1000
    print(f"  {label}: {rate:,.0f} sales/s in {len(tally.latencies)} batches, batch p50 {p50:.0f} ms, "
          f"p99 {p99:.0f} ms; answers {dict(sorted(tally.statuses.items()))}")
    print(f"    outcomes: {dict(tally.outcomes.most_common())}")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", "4")))
    parser.add_argument("--trips", type=int, default=200)
    args = parser.parse_args()
    server = None
    with bench_database("pos") as name:
        try:
            trip_ids, stretches, credentials = seed(trip_count=args.trips, clients=args.clients)
            connection.close()
            port = free_port()
            server = gunicorn_server.start(app="bench.coach_line:wsgi_app()", port=port, workers=args.workers,
                                           env={"BENCH_DATABASE_NAME": name}, answers=serves)
            rngs = [random.Random(SEED * 1000 + n) for n in range(args.clients)]
            makers = [lambda rng=rng: _batch(rng, trip_ids, stretches, args.batch) for rng in rngs]
            warm: list[list[list[dict]]] = [[] for _ in credentials]
            measure(port, credentials, warm, makers, 1.0)  # the workers' connections and caches
            uploaded: list[list[list[dict]]] = [[] for _ in credentials]
            first, first_elapsed = measure(port, credentials, uploaded, makers, args.seconds)
            again, again_elapsed = measure(port, credentials, uploaded, makers, None)
        finally:
            if server is not None:
                gunicorn_server.stop(server)
        raw = floor.raw_insert_rate(seconds=min(args.seconds, 5.0), threads=args.clients)
    print(f"pos sync bench: {args.clients} devices, batches of {args.batch}, gunicorn {args.workers} sync workers, "
          f"{args.trips} trips x {len(SEATS)} seats x {len(stretches)} stretches, {args.seconds:.0f} s")
    fresh = report("first uploads", first, first_elapsed)
    replayed = report("same batches again", again, again_elapsed)
    same = again.decided == first.decided
    print(f"    every replayed sale answered as first decided: {'yes' if same else 'NO'} ({len(again.decided)} sales)")
    print(f"  raw INSERT ... ON CONFLICT DO NOTHING, {args.clients} connections: {raw:,.0f} commits/s")
    if fresh and replayed:
        print(f"  a synced sale costs {raw / fresh:.1f}x a raw insert commit; a replayed one {raw / replayed:.1f}x")


if __name__ == "__main__":
    main()
