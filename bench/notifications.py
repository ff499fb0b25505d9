"""Events to sent messages per second, through a real worker against the Africa's Talking emulator, beside the
emulator's raw request rate in the same run.

    python bench/notifications.py [tickets] [worker processes]          (default 300, 2)

Uses the servers named by DATABASE_URL / REDIS_URL / CELERY_BROKER_URL (or the embedded ones), in a throwaway
database `<name>_bench_notifications` that it creates, migrates and drops. Seeds a company with TICKETS confirmed
tickets on several trips (each `ticket_confirmed` in the outbox, its passenger with a phone, its booking's account
with an email), then starts the emulator (in this process, on a thread) and a real Celery worker (prefork) and
times, from the worker's start, until every message is sent: the kernel relays each event, notification's handler
plans an SMS and an email (rendered, keyed once per event and recipient), and the send tasks deliver them, the SMS
through the real Africa's Talking client, the email with its e-ticket PDF through Django's locmem backend (no
SMTP server is measured). Raw primitive: the same number of SMS posted straight to the emulator's messaging
endpoint by as many threads as the worker has processes, each on its own keep-alive connection.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings_test"
os.environ.setdefault("TRANSPORT_EVENT_QUEUE", f"bench-{uuid.uuid4().hex[:8]}")
os.environ.setdefault("CELERY_QUEUE", os.environ["TRANSPORT_EVENT_QUEUE"])
os.environ["TEST_DB_CONN_MAX_AGE"] = "600"  # persistent connections, as in production (worker too)

import django  # noqa: E402

django.setup()

import httpx  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db.models import Count  # noqa: E402

from apps.notification.emulators import accounts  # noqa: E402
from apps.notification.emulators import africastalking as africastalking_emulator  # noqa: E402
from apps.notification.models import Delivery  # noqa: E402
from apps.ticketing import api as ticketing_api  # noqa: E402
from apps.ticketing.sales.services.bookings import PassengerIn, booking_hold  # noqa: E402
from bench.coach_line import bench_database  # noqa: E402
from tests.worlds.boarding import CASHIER  # noqa: E402
from tests.worlds.ticketing import SalesWorld, build_sales_world, sale_day  # noqa: E402
from transport.emulators.serving import EmulatorServer  # noqa: E402

TICKETS = int(sys.argv[1]) if len(sys.argv) > 1 else 300
WORKERS = int(sys.argv[2]) if len(sys.argv) > 2 else 2
SEATS = [f"{row}{column}" for row in range(1, 10) for column in "ABCD"]  # 36 sellable seats per trip
REPORT_DELAY = 3600.0  # the emulator holds its delivery reports: the bench measures sending, not reports


def seed() -> SalesWorld:
    """TICKETS confirmed tickets, one per booking, on as many trips as they need (their events wait in the
    broker's queue until the worker starts)."""
    world = build_sales_world("bench-notify")
    trips = [world.trip_id]
    for n in range(TICKETS):
        if n and n % len(SEATS) == 0:
            trips.append(world.another_trip(day=sale_day() + timedelta(days=len(trips))))
        booking = booking_hold(principal=world.principal("passenger"), trip_id=trips[-1],
                               from_stop_id=world.stops["Nairobi"], to_stop_id=world.stops["Kisumu"],
                               passengers=[PassengerIn(name=f"Rider {n}", phone=f"+2547{n:08d}",
                                                       passenger_type="adult", seat_label=SEATS[n % len(SEATS)])])
        ticketing_api.booking_confirm(booking_id=booking.id, principal=CASHIER, payment_ref="CASH")
    return world


def pipeline(base_url: str) -> tuple[float, dict[str, int]]:
    from transport.events.relay import relay
    from transport.testing.worker import wait_for, worker_process

    log = Path(settings.VAR_DIR) / "bench-notifications-worker.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.unlink(missing_ok=True)
    env = {"AFRICASTALKING_BASE_URL": base_url, "AFRICASTALKING_USERNAME": accounts.AFRICASTALKING_USERNAME,
           "AFRICASTALKING_API_KEY": accounts.AFRICASTALKING_API_KEY, "SMS_BACKEND": "africastalking",
           "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    expected = 2 * TICKETS
    with worker_process(log_path=log, concurrency=WORKERS, extra_env=env):
        wait_for(lambda: b"ready." in log.read_bytes(), what="the worker to start")
        started = time.perf_counter()
        while relay(limit=1000):  # what the kernel's sweep does with any event the broker did not take at once
            pass
        wait_for(lambda: Delivery.objects.filter(status__in=["sent", "failed", "dead"]).count() >= expected,
                 within=900, what="every message to be sent")
        elapsed = time.perf_counter() - started
    counts = dict(Delivery.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
    return elapsed, counts


def raw_rate(base_url: str, count: int) -> float:
    """SMS posted straight to the emulator by WORKERS threads, each on its own keep-alive connection."""
    headers = {"apiKey": accounts.AFRICASTALKING_API_KEY, "Accept": "application/json"}

    def post(first: int) -> None:
        with httpx.Client(base_url=base_url, headers=headers, timeout=30) as client:
            for n in range(first, count, WORKERS):
                answer = client.post("/version1/messaging", data={
                    "username": accounts.AFRICASTALKING_USERNAME, "to": f"+2547{n:08d}",
                    "message": f"Bench Line: ticket K7M2Q9XP{n}, seat 3A, Nairobi-Kisumu, Sat 5 Dec 08:30."})
                assert answer.status_code == 201, answer.text

    threads = [threading.Thread(target=post, args=(first,)) for first in range(WORKERS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return count / (time.perf_counter() - started)


def main() -> None:
    with bench_database("notifications"), EmulatorServer(
            africastalking_emulator.create_app(report_delay=REPORT_DELAY)) as emulator:
        seed()
        elapsed, counts = pipeline(emulator.base_url)
        raw = raw_rate(emulator.base_url, TICKETS)
    sms_rate, rate = TICKETS / elapsed, 2 * TICKETS / elapsed
    print(f"notifications bench: {TICKETS} ticket_confirmed events -> {2 * TICKETS} messages (SMS + email with "
          f"its PDF), worker prefork x{WORKERS}, cores: {os.cpu_count()}")
    print(f"  outcomes: {dict(sorted(counts.items()))}")
    print(f"  events -> sent messages through the worker : {rate:8.1f} messages/s ({sms_rate:.1f} events/s, "
          f"{elapsed:.1f} s)")
    print(f"  raw SMS requests to the emulator ({WORKERS} threads): {raw:8.1f} requests/s")
    print(f"  ratio SMS sent through the worker / raw requests: {sms_rate / raw:.2f}")


if __name__ == "__main__":
    main()
