"""How fast ticket codes are checked: qr.api.ticket_code_verify in-process next to the raw HMAC it stands on,
and POST /api/v1/boarding/scan over HTTP next to a trivial authenticated endpoint on the same server.

    python bench/qr.py [--seconds S] [--clients N] [--workers W] [--trips T]

In-process (one thread): verifications per second of a valid code, and of a code with a bad tag, against
`hmac.new(key, payload, sha256).digest()` + `hmac.compare_digest` on the same bytes (the floor: what any
HMAC check costs in Python).

Over HTTP: gunicorn (sync workers, config.wsgi, plus bench/floor.py's trivial view) on a free loopback port,
N client threads, one driver device credential. Two kinds of scan, each measured for S seconds:
- first scans: each request boards a distinct ticket (T trips x 40 seats; the run stops early if they run
  out), so every answer is `boarded`;
- repeat scans: the same tickets again, so every answer is `already_boarded` (the read-only path);
beside GET /bench/trivial with the same device credential (authentication and DRF, no work) for the ratio.

Seeds its own database (created next to the configured one and dropped afterwards). Tickets are written in
bulk with codes signed by the real ticketing and qr code; trips, stops and the roster by company's models.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import itertools
import os
import queue
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
from django.utils import timezone  # noqa: E402

from apps.auth.services import devices, members  # noqa: E402
from apps.company import api as company_api  # noqa: E402
from apps.company.models import DriverAssignment, Trip  # noqa: E402
from apps.qr import api as qr_api  # noqa: E402
from apps.ticketing.models import Booking, Passenger, Ticket  # noqa: E402
from apps.ticketing.tickets import services as ticket_codes  # noqa: E402
from bench import gunicorn_server  # noqa: E402
from bench.coach_line import ACTOR, SEATS, bench_database, coach_line, request, serves  # noqa: E402
from bench.floor import TRIVIAL_URL as TRIVIAL  # noqa: E402
from transport.testing.network import free_port  # noqa: E402

# ------------------------------------------------------------------ in-process


def _rate(work, seconds: float) -> float:
    count, started = 0, clock.perf_counter()
    deadline = started + seconds
    while clock.perf_counter() < deadline:
        for _ in range(100):
            work()
        count += 100
    return count / (clock.perf_counter() - started)


def in_process(code: str, seconds: float) -> dict[str, float]:
    """Verifications per second of a valid code and of a forged tag, and the raw HMAC check they rest on."""
    raw = base64.b32decode(code + "=" * (-len(code) % 8))
    payload, tag = raw[:-16], raw[-16:]
    key = hashlib.sha256(b"bench key").digest()
    forged = base64.b32encode(payload + bytes([tag[0] ^ 1]) + tag[1:]).decode().rstrip("=")
    now = timezone.now()
    assert qr_api.ticket_code_verify(code=code, now=now).ok
    assert qr_api.ticket_code_verify(code=forged, now=now).reason == "invalid_signature"
    return {
        "ticket_code_verify (valid)": _rate(lambda: qr_api.ticket_code_verify(code=code, now=now), seconds),
        "ticket_code_verify (bad tag)": _rate(lambda: qr_api.ticket_code_verify(code=forged, now=now), seconds),
        "raw hmac sha256 + compare_digest": _rate(
            lambda: hmac.compare_digest(hmac.new(key, payload, hashlib.sha256).digest()[:16], tag), seconds),
    }


# ------------------------------------------------------------------ seeding


def seed(trip_count: int) -> tuple[str, list[tuple[str, str]]]:
    """A company, T trips a day apart with one driver rostered on all, 40 confirmed tickets per trip (Nairobi to
    Kisumu), and the driver's device. Returns its credential and the (trip id, code) of every ticket."""
    line = coach_line(trip_count=trip_count, slug="qr-bench", days_ahead=1)
    driver = get_user_model().objects.create_user(email="qr-bench-driver@example.test", password=uuid.uuid4().hex,
                                                  full_name="Bench driver")
    members.membership_grant(company_id=line.company_id, user_id=driver.pk, roles=["driver"], actor_id=None)
    scans: list[tuple[str, str]] = []
    for trip in Trip.objects.filter(id__in=line.trip_ids).order_by("departure_at"):
        DriverAssignment.objects.create(company_id=line.company_id, trip=trip, driver_id=driver.pk,
                                        starts_at=trip.departure_at, ends_at=trip.arrival_at)
        scans.extend((str(trip.id), code) for code in _tickets(line.company_id, trip, line.stops, line.route_id))
    credential = devices.device_register(principal=ACTOR, company_id=line.company_id, user_id=driver.pk,
                                         role="driver", name="Bench phone").credential
    return credential, scans


def _tickets(company_id: uuid.UUID, trip: Trip, stops: list[uuid.UUID], route_id: uuid.UUID) -> list[str]:
    details = company_api.get_trip(trip_id=trip.id)
    first, last = details.stops[0].sequence, details.stops[-1].sequence
    valid_until = ticket_codes.code_valid_until(trip=details, to_sequence=last)
    now = timezone.now()
    bookings = [Booking(company_id=company_id, trip_id=trip.id, route_id=route_id, from_stop_id=stops[0],
                        to_stop_id=stops[-1], from_sequence=first, to_sequence=last, state=Booking.State.CONFIRMED,
                        total_minor=140_000, currency="KES", expires_at=now, holder="bench", confirmed_at=now)
                for _ in SEATS]
    Booking.objects.bulk_create(bookings)
    passengers = Passenger.objects.bulk_create(
        Passenger(booking=booking, position=0, name=f"Rider {seat}", seat_label=seat, seat_class="standard",
                  price_minor=140_000, fare_minor=140_000) for booking, seat in zip(bookings, SEATS, strict=True))
    tickets = []
    for booking, passenger in zip(bookings, passengers, strict=True):
        ticket_id = uuid.uuid4()
        code = ticket_codes.ticket_code_make(company_id=company_id, ticket_id=ticket_id, trip_id=trip.id,
                                             seat_label=passenger.seat_label, from_sequence=first, to_sequence=last,
                                             valid_until=valid_until)
        tickets.append(Ticket(id=ticket_id, company_id=company_id, booking=booking, passenger=passenger,
                              trip_id=trip.id, number=uuid.uuid4().hex[:8].upper(), seat_label=passenger.seat_label,
                              code=code))
    Ticket.objects.bulk_create(tickets)
    return [ticket.code for ticket in tickets]


# ------------------------------------------------------------------ over HTTP


class Run:
    """Requests of one kind from N client threads for a while: count, latencies and answers."""

    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.answers: dict[str, int] = {}
        self.lock = threading.Lock()
        self.elapsed = 0.0

    def record(self, elapsed: float, answer: str) -> None:
        with self.lock:
            self.latencies.append(elapsed)
            self.answers[answer] = self.answers.get(answer, 0) + 1

    def line(self, name: str) -> str:
        ordered = sorted(self.latencies)
        p50 = statistics.median(ordered) * 1000
        p99 = ordered[max(0, int(len(ordered) * 0.99) - 1)] * 1000
        return (f"  {name:<38} {self.rate:8,.0f} req/s   p50 {p50:6.1f} ms   p99 {p99:6.1f} ms   "
                f"{dict(sorted(self.answers.items()))}")

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0


def drive(clients: int, seconds: float, one_request) -> Run:
    """Call one_request() -> (answer label | None when there is no more work) from `clients` threads."""
    run = Run()
    deadline = clock.perf_counter() + seconds

    def client() -> None:
        while clock.perf_counter() < deadline:
            started = clock.perf_counter()
            answer = one_request()
            if answer is None:
                return
            run.record(clock.perf_counter() - started, answer)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = clock.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run.elapsed = clock.perf_counter() - started
    return run


def scanner(port: int, auth: dict[str, str], work, done: list | None):
    """A request that scans the next (trip, code) of `work` (a queue, or an endless iterator shared under a
    lock); scanned ones go to `done` when given."""
    lock = threading.Lock()

    def next_item() -> tuple[str, str] | None:
        if isinstance(work, queue.SimpleQueue):
            try:
                return work.get_nowait()
            except queue.Empty:
                return None
        with lock:
            return next(work, None)

    def one_request() -> str | None:
        item = next_item()
        if item is None:
            return None
        trip_id, code = item
        status, answer = request(port, "POST", "/api/v1/boarding/scan", auth, {"trip_id": trip_id, "code": code})
        if done is not None:
            done.append((trip_id, code))
        return answer.get("reason", str(status)) if status == 200 else str(status)

    return one_request


def over_http(port: int, credential: str, scans: list[tuple[str, str]], clients: int, seconds: float) -> dict:
    auth = {"Authorization": f"Device {credential}"}
    warm: queue.SimpleQueue[tuple[str, str]] = queue.SimpleQueue()
    for item in scans[: clients * 5]:
        warm.put(item)
    drive(clients, 60, scanner(port, auth, warm, None))  # the workers' connections and key rings, warm
    fresh: queue.SimpleQueue = queue.SimpleQueue()
    for item in scans[clients * 5:]:
        fresh.put(item)
    boarded: list[tuple[str, str]] = []
    first = drive(clients, seconds, scanner(port, auth, fresh, boarded))
    repeat = drive(clients, seconds, scanner(port, auth, itertools.cycle(boarded), None))
    floor = drive(clients, seconds, lambda: str(request(port, "GET", TRIVIAL, auth)[0]))
    return {"first": first, "repeat": repeat, "floor": floor}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="per measurement (default 5)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent HTTP clients (default 8)")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", "4")),
                        help="gunicorn sync workers (default 4, or BENCH_WORKERS)")
    parser.add_argument("--trips", type=int, default=100, help="trips of 40 tickets each to board (default 100)")
    args = parser.parse_args()

    server = None
    with bench_database("qr") as name:
        try:
            credential, scans = seed(args.trips)
            local = in_process(scans[0][1], args.seconds)
            connection.close()
            port = free_port()
            server = gunicorn_server.start(app="bench.coach_line:wsgi_app()", port=port, workers=args.workers,
                                           env={"BENCH_DATABASE_NAME": name}, answers=serves)
            remote = over_http(port, credential, scans, args.clients, args.seconds)
        finally:
            if server is not None:
                gunicorn_server.stop(server)

    raw = local["raw hmac sha256 + compare_digest"]
    print(f"qr bench: in-process, one thread, {args.seconds:.0f} s per measurement")
    for name, rate in local.items():
        print(f"  {name:<34} {rate:12,.0f}/s   {raw / rate:5.1f}x the raw HMAC check")
    floor = remote["floor"].rate
    print(f"qr bench: over HTTP, gunicorn {args.workers} sync workers, {args.clients} client threads, one driver "
          f"device, {len(scans):,} tickets on {args.trips} trips, {args.seconds:.0f} s per measurement")
    for key, name in (("first", "POST /boarding/scan, first scans"), ("repeat", "POST /boarding/scan, repeats"),
                      ("floor", f"GET {TRIVIAL} (authenticated floor)")):
        run = remote[key]
        ratio = f"   {floor / run.rate:4.1f}x the floor" if key != "floor" and run.rate else ""
        print(run.line(name) + ratio)
    if remote["first"].answers.get("boarded", 0) >= len(scans) - args.clients * 5:
        print("  (first scans ran out of tickets before the time was up: raise --trips for a longer run)")


if __name__ == "__main__":
    main()
