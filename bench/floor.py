"""What the benchmarks compare against on the same machine, in the same run.

- `urlpatterns`: the project's routes plus GET /bench/trivial, a DRF view that authenticates the caller and
  answers a constant: the framework floor of an endpoint (serve it with ROOT_URLCONF = "bench.floor"); and
  POST /bench/write, which authenticates the caller, validates a small JSON body and inserts one row in one
  transaction: the floor of a write (its table made by `write_floor_table`).
- `raw_insert_rate`: one-row `INSERT ... ON CONFLICT DO NOTHING` commits per second from concurrent
  connections, the database's own floor for a write.
"""

from __future__ import annotations

import threading
import time
import uuid

import psycopg
from django.db import connection, transaction
from django.urls import include, path
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from transport.http.principal import principal_of

TRIVIAL_URL = "/bench/trivial"
WRITE_URL = "/bench/write"
WRITE_TABLE = "bench_write_floor"


class Trivial(APIView):
    """Authenticates whoever calls (bearer or device) and answers who it was: no other work."""

    permission_classes = [AllowAny]

    def get(self, request: Request) -> Response:
        return Response({"kind": str(principal_of(request).kind)})


class WriteIn(serializers.Serializer):
    trip_id = serializers.UUIDField()
    seat = serializers.CharField(max_length=8)
    name = serializers.CharField(max_length=100)
    phone = serializers.CharField(max_length=20)


class WriteFloor(APIView):
    """An authenticated caller's small JSON body, validated and written as one row in one transaction."""

    permission_classes = [IsAuthenticated]

    def post(self, request: Request) -> Response:
        data = WriteIn(data=request.data)
        data.is_valid(raise_exception=True)
        row_id = uuid.uuid4()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {WRITE_TABLE} (id, trip_id, seat, name, phone) "  # noqa: S608
                           "VALUES (%s, %s, %s, %s, %s)",
                           [row_id, *(data.validated_data[f] for f in ("trip_id", "seat", "name", "phone"))])
        return Response({"id": str(row_id)}, status=status.HTTP_201_CREATED)


def write_floor_table() -> None:
    """The write floor's table, in the configured (bench) database."""
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {WRITE_TABLE} (id uuid PRIMARY KEY, trip_id uuid NOT NULL, "
                       "seat text NOT NULL, name text NOT NULL, phone text NOT NULL, "
                       "created_at timestamptz NOT NULL DEFAULT now())")


urlpatterns = [path("bench/trivial", Trivial.as_view()), path("bench/write", WriteFloor.as_view()),
               path("", include("config.urls"))]


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
