"""What the benchmarks compare against on the same machine, in the same run.

- `urlpatterns`: the project's routes plus GET /bench/trivial, a DRF view that authenticates the caller and
  answers a constant: the framework floor of an endpoint (serve it with ROOT_URLCONF = "bench.floor").
- `raw_insert_rate`: one-row `INSERT ... ON CONFLICT DO NOTHING` commits per second from concurrent
  connections, the database's own floor for a write.
"""

from __future__ import annotations

import threading
import time
import uuid

import psycopg
from django.db import connection
from django.urls import include, path
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from transport.http.principal import principal_of

TRIVIAL_URL = "/bench/trivial"


class Trivial(APIView):
    """Authenticates whoever calls (bearer or device) and answers who it was: no other work."""

    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        return Response({"kind": str(principal_of(request).kind)})


urlpatterns = [path("bench/trivial", Trivial.as_view()), path("", include("config.urls"))]


def raw_insert_rate(*, seconds: float, threads: int) -> float:
    """INSERT ... ON CONFLICT DO NOTHING commits per second from `threads` connections on the configured
    database, into a throwaway table."""
    params = connection.get_connection_params()
    table = f"bench_raw_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute(f"CREATE TABLE IF NOT EXISTS {table} (k uuid PRIMARY KEY, v int)")  # noqa: S608
    counts = [0] * threads

    def run(n: int) -> None:
        with psycopg.connect(**params, autocommit=True) as conn:
            deadline = time.perf_counter() + seconds
            while time.perf_counter() < deadline:
                conn.execute(f"INSERT INTO {table} (k, v) VALUES (%s, %s) ON CONFLICT DO NOTHING",  # noqa: S608
                             [uuid.uuid4(), n])
                counts[n] += 1

    workers = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - started
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute(f"DROP TABLE {table}")  # noqa: S608
    return sum(counts) / elapsed
