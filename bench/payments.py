"""How fast payments start and callbacks are taken in, over HTTP against the MTN MoMo emulator, beside the write
floor measured in the same run on the same server.

    python bench/payments.py [seconds]

Seeds its own database (created next to the configured one and dropped afterwards): one company with a MoMo
sandbox account (KES charged in EUR at a company rate), HOLDS held bookings spread over its trips, and one
signed-in passenger per client. The emulator runs as its own process (`python -m apps.payment.emulators`) with
its callbacks held; gunicorn (sync workers) serves the project.

1. initiations: CLIENTS clients each POST /api/v1/bookings/{id}/payments for their own held bookings (a fresh
   Idempotency-Key each): payment row and attempt committed, the request-to-pay sent to the emulator, the hold
   extended. Rate of 201 answers.
2. callbacks over HTTP: every callback the emulator recorded, PUT to our callback URLs by CLIENTS clients:
   stored raw (one transaction), answered 200. Rate of 200 answers.
3. callbacks processed: what a worker does with each stored callback (the claim checked, MoMo's status GET,
   the payment moved and credited, the event published), from PROCESSORS threads. Rate per second.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time as clock
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402

from apps.auth import api as auth_api  # noqa: E402
from apps.auth.services.sessions import access_token_for  # noqa: E402
from apps.payment.emulators import mtn_momo_state  # noqa: E402
from apps.payment.models import ProviderEvent  # noqa: E402
from apps.payment.services import accounts, callbacks  # noqa: E402
from apps.ticketing.sales.services.bookings import PassengerIn, booking_hold  # noqa: E402
from bench import floor, gunicorn_server  # noqa: E402
from bench.booking import _summary, measure_writes  # noqa: E402
from bench.coach_line import SEATS, bench_database, coach_line, request, serves  # noqa: E402
from transport.testing.network import free_port  # noqa: E402

CLIENTS = 32
PROCESSORS = 4
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
TRIPS = 60
SEED = 20261204


def seed(emulator_url: str) -> tuple[list[str], dict[str, list[str]], list[str]]:
    """Trip ids, each client's held bookings (keyed by token) and the tokens."""
    settings.TICKETING_MAX_ACTIVE_HOLDS_PER_USER = 1_000_000
    line = coach_line(trip_count=TRIPS, slug="bench-pay")
    settings.PAYMENT_PROVIDER_BASE_URLS["mtn_momo"]["sandbox"] = emulator_url
    accounts.account_save(company_id=line.company_id, provider="mtn_momo", environment="sandbox", values={
        "api_user": mtn_momo_state.SANDBOX_API_USER, "api_key": mtn_momo_state.SANDBOX_API_KEY,
        "collection_subscription_key": mtn_momo_state.SANDBOX_COLLECTION_KEY,
        "disbursement_subscription_key": mtn_momo_state.SANDBOX_DISBURSEMENT_KEY,
        "target_environment": mtn_momo_state.SANDBOX_ENVIRONMENT, "currency": mtn_momo_state.SANDBOX_CURRENCY,
    }, conversion_rates={"KES": "0.0070"})
    users = get_user_model().objects
    people = [users.create_user(email=f"payer{n}@example.test", password=uuid.uuid4().hex,
                                full_name=f"Bench payer {n}") for n in range(CLIENTS)]
    tokens = [access_token_for(person) for person in people]
    held: dict[str, list[str]] = {token: [] for token in tokens}
    whole = line.stretches[-1]  # Nairobi -> Kisumu: one seat, one booking
    for index, (trip_id, seat) in enumerate((t, s) for t in line.trip_ids for s in SEATS):
        person = people[index % CLIENTS]
        booking = booking_hold(principal=auth_api.principal_for_user(user_id=person.pk), trip_id=uuid.UUID(trip_id),
                               from_stop_id=uuid.UUID(whole["from_stop_id"]), to_stop_id=uuid.UUID(whole["to_stop_id"]),
                               passengers=[PassengerIn(name="Bench Payer", phone="+254700000009",
                                                       passenger_type="adult", seat_label=seat)])
        held[tokens[index % CLIENTS]].append(str(booking.id))
    floor.write_floor_table()
    return line.trip_ids, held, tokens


def _payer(port: int, token: str, bookings: list[str], deadline: float, latencies: list[float],
           statuses: dict[int, int], lock: threading.Lock) -> None:
    auth = {"Authorization": f"Bearer {token}"}
    for booking_id in bookings:
        if clock.perf_counter() >= deadline:
            return
        started = clock.perf_counter()
        status, _answer = request(port, "POST", f"/api/v1/bookings/{booking_id}/payments",
                                  {**auth, "Idempotency-Key": uuid.uuid4().hex},
                                  {"provider": "mtn_momo", "phone": "+46733123999"})
        with lock:
            latencies.append(clock.perf_counter() - started)
            statuses[status] = statuses.get(status, 0) + 1


Measured = tuple[list[float], dict[int, int], float]  # latencies, answers by status, elapsed seconds


def measure_initiations(port: int, held: dict[str, list[str]], seconds: float) -> Measured:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    deadline = clock.perf_counter() + seconds
    threads = [threading.Thread(target=_payer, args=(port, token, bookings, deadline, latencies, statuses, lock))
               for token, bookings in held.items()]
    started = clock.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, statuses, clock.perf_counter() - started


def _emulator_json(url: str, body: dict | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    with urllib.request.urlopen(urllib.request.Request(url, data=data, method="POST" if data else "GET",  # noqa: S310
                                                       headers={"Content-Type": "application/json"})) as answer:
        return json.loads(answer.read())


def measure_callbacks(port: int, recorded: list[dict]) -> Measured:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()

    def deliver(callback: dict) -> None:
        path = urlsplit(callback["url"]).path
        started = clock.perf_counter()
        status, _ = request(port, callback["method"], path, {}, json.loads(callback["body"]))
        with lock:
            latencies.append(clock.perf_counter() - started)
            statuses[status] = statuses.get(status, 0) + 1

    started = clock.perf_counter()
    with ThreadPoolExecutor(CLIENTS) as pool:
        list(pool.map(deliver, recorded))
    return latencies, {201 if k == 200 else k: v for k, v in statuses.items()}, clock.perf_counter() - started


def measure_processing() -> tuple[int, float, dict[str, int]]:
    ids = list(ProviderEvent.objects.filter(outcome=ProviderEvent.Outcome.RECEIVED).values_list("id", flat=True))
    outcomes: dict[str, int] = {}
    lock = threading.Lock()

    def process(event_id: int) -> None:
        outcome = str(callbacks.event_process(event_id))
        with lock:
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
        connection.close()

    started = clock.perf_counter()
    with ThreadPoolExecutor(PROCESSORS) as pool:
        list(pool.map(process, ids))
    return len(ids), clock.perf_counter() - started, outcomes


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0
    emulator_port = free_port()
    emulator = subprocess.Popen([sys.executable, "-m", "apps.payment.emulators", "--port", str(emulator_port),  # noqa: S603
                                 "--settle-seconds", "0.2"], cwd=ROOT, start_new_session=True)
    emulator_url = f"http://127.0.0.1:{emulator_port}/mtn_momo"  # its prefix in the demo process
    server = None
    try:
        for _ in range(100):
            try:
                _emulator_json(f"{emulator_url}/_emu/callbacks/hold", {"hold": True})
                break
            except OSError:
                clock.sleep(0.1)
        with bench_database("payments") as name:
            try:
                trip_ids, held, tokens = seed(emulator_url)
                connection.close()
                port = free_port()
                server = gunicorn_server.start(app="bench.coach_line:wsgi_app()", port=port, workers=WORKERS,
                                               env={"BENCH_DATABASE_NAME": name,
                                                    "PAYMENT_MTN_MOMO_SANDBOX_URL": emulator_url,
                                                    "PAYMENT_CALLBACK_BASE_URL": f"http://127.0.0.1:{port}"},
                                               answers=serves)
                measure_writes(port, trip_ids, tokens, 1.0, seed=SEED)  # warm the workers' connections
                writes = measure_writes(port, trip_ids, tokens, seconds, seed=SEED + 1)
                started = measure_initiations(port, held, seconds)
                clock.sleep(1.0)  # the emulator settles the last ones
                recorded = _emulator_json(f"{emulator_url}/_emu/callbacks")["callbacks"]
                delivered = measure_callbacks(port, recorded)
            finally:
                if server is not None:
                    gunicorn_server.stop(server)
            settings.PAYMENT_PROVIDER_BASE_URLS["mtn_momo"]["sandbox"] = emulator_url
            processed, processing_elapsed, outcomes = measure_processing()
    finally:
        emulator.terminate()
        emulator.wait(10)
    written, write_line = _summary(f"write floor (authenticated POST {floor.WRITE_URL}, one row)", *writes,
                                   what="rows")
    initiated, start_line = _summary("payment initiations (POST /api/v1/bookings/{id}/payments, MoMo)", *started,
                                     what="payments")
    accepted, callback_line = _summary("callbacks over HTTP (stored raw, answered)", *delivered, what="callbacks")
    processed_rate = processed / processing_elapsed if processing_elapsed else 0.0
    print(f"payments bench: {CLIENTS} clients, gunicorn {WORKERS} sync workers, {seconds:.0f} s per phase")
    print(write_line)
    print(start_line)
    print(f"  initiations/write floor = {initiated / written:.2f}")
    print(callback_line)
    print(f"  callbacks over HTTP/write floor = {accepted / written:.2f}")
    print(f"  callbacks processed ({PROCESSORS} threads, status GET to the emulator, credit, event): "
          f"{processed_rate:,.0f}/s; outcomes {dict(sorted(outcomes.items()))}; "
          f"processed/write floor = {processed_rate / written:.2f}")


if __name__ == "__main__":
    main()
