"""Events per second through outbox -> broker -> handler, beside the raw broker publish rate.

    python bench/events.py [events] [publisher threads]          (default 2000, 4)

Uses the servers named by DATABASE_URL / REDIS_URL / CELERY_BROKER_URL (or the embedded ones), in a
throwaway database `<name>_bench_events` that it creates, migrates and drops. Three figures:

1. raw primitives: kombu publishes of a message of the same size, with publisher confirms, one after
   another on one connection (what the relay stands on), and one-row INSERT commits (what the
   sender's own transaction costs anyway);
2. publish side: each event in its own transaction (outbox row, commit, relay after commit), from
   several publisher threads at once, as several web workers would;
3. end to end: from the first publish until a real worker process (prefork, 2 children) has applied
   every event once (inbox rows), while the publisher runs.
"""

from __future__ import annotations

import os
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings_test"  # has the probe app and its handler
os.environ.setdefault("TRANSPORT_EVENT_QUEUE", f"bench-{uuid.uuid4().hex[:8]}")
os.environ.setdefault("CELERY_QUEUE", os.environ["TRANSPORT_EVENT_QUEUE"])
os.environ["TEST_DB_CONN_MAX_AGE"] = "600"  # persistent connections, as in production (worker too)

import django  # noqa: E402

django.setup()

from celery import current_app  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from kombu import Exchange, Producer, Queue  # noqa: E402

from bench.coach_line import bench_database  # noqa: E402

EVENTS = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
PUBLISHERS = int(sys.argv[2]) if len(sys.argv) > 2 else 4  # threads, as several web workers would


def raw_publish_rate(count: int) -> float:
    body = {"event_id": str(uuid.uuid4()), "event": "probe.probe_happened",
            "handler": "tests.probe.receivers.record_effect", "payload": {"name": "bench"}, "headers": {}}
    queue = Queue(f"bench-raw-{uuid.uuid4().hex[:8]}", Exchange("bench-raw", type="direct"), routing_key="raw")
    with current_app.connection_for_write() as conn:
        channel = conn.channel()
        queue(channel).declare()
        producer = Producer(channel, exchange=queue.exchange, routing_key="raw", serializer="json")
        started = time.perf_counter()
        for _ in range(count):
            producer.publish(body, delivery_mode=2)
        elapsed = time.perf_counter() - started
        queue(channel).delete()
    return count / elapsed


def raw_commit_rate(count: int) -> float:
    """One INSERT committed per transaction: what each event's sender pays anyway for its own write."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE IF NOT EXISTS bench_commit (id bigserial, body jsonb)")
    started = time.perf_counter()
    for _ in range(count):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_commit (body) VALUES ('{\"name\": \"bench\"}')")
    return count / (time.perf_counter() - started)


def pipeline(count: int) -> tuple[float, float, list[float]]:
    from tests.probe import signals
    from transport.events import publish
    from transport.events.models import InboxRecord
    from transport.testing.worker import wait_for, worker_process

    log = Path(settings.VAR_DIR) / "bench-events-worker.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.unlink(missing_ok=True)
    with worker_process(log_path=log, concurrency=2):
        wait_for(lambda: b"ready." in log.read_bytes(), what="the worker to start")
        latencies: list[float] = []

        def publisher(first: int) -> None:
            try:
                for index in range(first, count, PUBLISHERS):
                    t0 = time.perf_counter()
                    with transaction.atomic():
                        publish(signals.probe_happened, signals.ProbeHappened(name=f"bench-{index}"))
                    latencies.append(time.perf_counter() - t0)
            finally:
                connection.close()

        threads = [threading.Thread(target=publisher, args=(first,)) for first in range(PUBLISHERS)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        published = time.perf_counter() - started
        wait_for(lambda: InboxRecord.objects.count() >= count, within=600, what="every event to be applied")
        done = time.perf_counter() - started
    return count / published, count / done, latencies


def main() -> None:
    with bench_database("events"):
        raw = raw_publish_rate(EVENTS)
        commits = raw_commit_rate(EVENTS)
        publish_rate, end_to_end, latencies = pipeline(EVENTS)
    latencies.sort()
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[int(len(latencies) * 0.99) - 1] * 1000
    broker = settings.CELERY_BROKER_URL.split("://", 1)[0]
    print(f"events: {EVENTS}, publishers: {PUBLISHERS} threads, broker: {broker}, database: PostgreSQL, "
          f"worker: prefork x2, cores: {os.cpu_count()}")
    print(f"raw broker publish (confirms, 1 conn) : {raw:10.0f} msg/s")
    print(f"raw database commit (1-row INSERT)    : {commits:10.0f} tx/s")
    print(f"publish side (tx + outbox + relay)    : {publish_rate:10.0f} events/s  "
          f"(p50 {p50:.2f} ms, p99 {p99:.2f} ms per publish)")
    print(f"end to end (outbox -> broker -> handler, applied once): {end_to_end:10.0f} events/s")
    print(f"ratio end-to-end / raw publish        : {end_to_end / raw:10.2f}")
    print(f"ratio publish side / raw publish      : {publish_rate / raw:10.2f}")
    print(f"ratio publish side / raw commit       : {publish_rate / commits:10.2f}")


if __name__ == "__main__":
    main()
