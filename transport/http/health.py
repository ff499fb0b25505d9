"""/health/live: the process answers. /health/ready: PostgreSQL, Redis and the broker answer."""

from __future__ import annotations

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from kombu import Connection

CHECK_TIMEOUT_SECONDS = 2


def live(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def ready(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database, "redis": _redis, "broker": _broker}
    results: dict[str, str] = {}
    for name, check in checks.items():
        try:
            check()
            results[name] = "ok"
        except Exception as exc:  # any failure of a dependency means "not ready", named
            results[name] = f"down: {type(exc).__name__}: {exc}"[:300]
    down = [name for name, state in results.items() if state != "ok"]
    body = {"status": "ok" if not down else "unavailable", "checks": results}
    if down:
        body["down"] = down
    return JsonResponse(body, status=503 if down else 200)


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _redis() -> None:
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=CHECK_TIMEOUT_SECONDS,
                                  socket_timeout=CHECK_TIMEOUT_SECONDS)
    try:
        client.ping()
    finally:
        client.close()


def _broker() -> None:
    with Connection(settings.CELERY_BROKER_URL, connect_timeout=CHECK_TIMEOUT_SECONDS) as conn:
        conn.ensure_connection(max_retries=1, timeout=CHECK_TIMEOUT_SECONDS)
