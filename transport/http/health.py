"""/health/live: the process answers. /health/ready: PostgreSQL and Redis answer; the broker is reported.

Readiness answers 503 naming each part that is down without which the API cannot serve (the database,
Redis), so an orchestrator stops sending traffic and an operator sees where to look. A broker outage is
not one of them: published events wait in the outbox and the sweep sends them once it returns, so the
answer stays 200 with the broker reported "degraded" (and named in "degraded") rather than turning a
broker outage into an API outage. Each check gives up after CHECK_TIMEOUT_SECONDS and never retries: a probe
that hangs on a dead broker is worse than one that says it is dead. The reasons go to the log, not the
body: the endpoint is unauthenticated and exception texts name hosts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from kombu import Connection
from redis.backoff import NoBackoff
from redis.retry import Retry

CHECK_TIMEOUT_SECONDS = 2
# parts the API serves without: reported, never a reason to take the instance out of service
DEGRADABLE = frozenset({"broker"})

logger = logging.getLogger(__name__)


def live(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def ready(request: HttpRequest) -> JsonResponse:
    checks: dict[str, Callable[[], None]] = {"database": _database, "redis": _redis, "broker": _broker}
    results: dict[str, str] = {}
    for name, check in checks.items():
        try:
            check()
            results[name] = "ok"
        except Exception as exc:  # any failure of a dependency is named
            logger.warning("readiness: %s is down: %s: %s", name, type(exc).__name__, exc)
            results[name] = "degraded" if name in DEGRADABLE else "down"
    down = [name for name, state in results.items() if state == "down"]
    degraded = [name for name, state in results.items() if state == "degraded"]
    if down:
        body = {"status": "unavailable", "checks": results, "down": down,
                "detail": f"Not ready: {', '.join(down)} down."}
        return JsonResponse(body, status=503)
    if degraded:
        return JsonResponse({"status": "degraded", "checks": results, "degraded": degraded,
                             "detail": "Ready; events wait in the outbox until the broker returns."})
    return JsonResponse({"status": "ok", "checks": results})


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _redis() -> None:
    client = redis.Redis.from_url(
        settings.REDIS_URL,
        socket_connect_timeout=CHECK_TIMEOUT_SECONDS,
        socket_timeout=CHECK_TIMEOUT_SECONDS,
        retry=Retry(NoBackoff(), 0),
    )
    try:
        client.ping()
    finally:
        client.close()


def _broker() -> None:
    with Connection(settings.CELERY_BROKER_URL, connect_timeout=CHECK_TIMEOUT_SECONDS,
                    transport_options={"max_retries": 0}) as conn:
        conn.ensure_connection(max_retries=0, timeout=CHECK_TIMEOUT_SECONDS)
