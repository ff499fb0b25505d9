"""How much authentication costs: requests per second of one trivial DRF endpoint, anonymous, with a
bearer JWT and with a device credential, in one run, and the ratio (aim: authentication costs < 15%).

    python bench/auth.py [seconds per variant and measurement, default 6]

Two measurements of the same view:
- in-process (Django's test client, the full middleware stack, the real database and Redis): our work
  per request, with no HTTP server around it;
- over HTTP: gunicorn (config.wsgi, 2 sync workers, this file's urlconf) on a free loopback port, driven
  by client processes (sync workers close each connection, so every request is a new connection, as
  behind the nginx gateway).
Creates a throwaway user and device and deletes them afterwards (their security-log rows stay: the log is
append-only). The bench servers are stopped before it exits.
"""

from __future__ import annotations

import http.client
import multiprocessing
import os
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.urls import path  # noqa: E402

from apps.auth import api  # noqa: E402
from apps.auth.models import User  # noqa: E402
from apps.auth.services import devices, members  # noqa: E402
from apps.auth.services.sessions import access_token_for  # noqa: E402
from bench import gunicorn_server  # noqa: E402
from bench.floor import Trivial  # noqa: E402
from transport.testing.network import free_port  # noqa: E402

SLICE_SECONDS = 0.25  # variants take turns in short slices, so load that drifts hits all of them alike
HTTP_WORKERS = 2
HTTP_CLIENTS = 4  # concurrent connections: enough to keep both workers busy
URL = "/bench/trivial"


urlpatterns = [path("bench/trivial", Trivial.as_view())]


def wsgi_app():
    """gunicorn's entry (`bench.auth:wsgi_app()`): the project's WSGI application, serving this urlconf."""
    settings.ROOT_URLCONF = __name__
    from config.wsgi import application

    return application


def in_process_count(client: Client, headers: dict, seconds: float) -> int:
    count, deadline = 0, time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        response = client.get(URL, **headers)
        assert response.status_code == 200, response.content
        count += 1
    return count


def _http_get(port: int, headers: dict[str, str]) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", URL, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def _http_client(job: tuple[int, dict[str, str], float]) -> int:
    port, headers, seconds = job
    count, deadline = 0, time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        status = _http_get(port, headers)
        assert status == 200, status
        count += 1
    return count


def http_count(pool, port: int, headers: dict[str, str], seconds: float) -> int:
    return sum(pool.map(_http_client, [(port, headers, seconds)] * HTTP_CLIENTS))


def interleaved(variants: dict[str, dict], count, seconds: float) -> dict[str, float]:
    """Requests per second of each variant, `seconds` each in all, measured in alternating slices."""
    for headers in variants.values():
        count(headers, SLICE_SECONDS)  # warm up connections and caches
    done, spent = dict.fromkeys(variants, 0), dict.fromkeys(variants, 0.0)
    for _ in range(max(1, round(seconds / SLICE_SECONDS))):
        for name, headers in variants.items():
            started = time.perf_counter()
            done[name] += count(headers, SLICE_SECONDS)
            spent[name] += time.perf_counter() - started
    return {name: done[name] / spent[name] for name in variants}


def report(title: str, best: dict[str, float]) -> None:
    base = best["anonymous"]
    print(title)
    for name, value in best.items():
        cost = 1 - value / base
        print(f"  {name:<11} {value:8.0f} req/s   ratio {value / base:5.2f}   authentication cost {cost:6.1%}")


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 6.0
    call_command("migrate", verbosity=0)
    company_id = uuid.uuid4()
    user = User.objects.create_user(email=f"bench-{uuid.uuid4().hex[:8]}@bench.invalid", password=uuid.uuid4().hex)
    server = None
    try:
        members.membership_grant(company_id=company_id, user_id=user.pk, roles=["company_admin", "agent"],
                                 actor_id=None)
        credential = devices.device_register(principal=api.principal_for_user(user_id=user.pk),
                                             company_id=company_id, user_id=user.pk, role="agent",
                                             name="bench").credential
        authorizations = {
            "anonymous": None,
            "bearer JWT": f"Bearer {access_token_for(user)}",
            "device": f"Device {credential}",
        }
        client = Client()
        with override_settings(ROOT_URLCONF=__name__):
            in_process = interleaved({name: {"HTTP_AUTHORIZATION": value} if value else {}
                                      for name, value in authorizations.items()},
                                     lambda headers, s: in_process_count(client, headers, s), seconds)
        port = free_port()
        server = gunicorn_server.start(app="bench.auth:wsgi_app()", port=port, workers=HTTP_WORKERS,
                                       answers=lambda port: _http_get(port, {}) == 200)
        with multiprocessing.get_context("spawn").Pool(HTTP_CLIENTS) as pool:
            over_http = interleaved({name: {"Authorization": value} if value else {}
                                     for name, value in authorizations.items()},
                                    lambda headers, s: http_count(pool, port, headers, s), seconds)
    finally:
        if server is not None:
            gunicorn_server.stop(server)
        user.delete()

    slices = f"{seconds:.0f}s per variant in {SLICE_SECONDS}s slices taking turns"
    report(f"auth bench: trivial DRF endpoint, in-process, {slices}", in_process)
    report(f"auth bench: same endpoint over HTTP, gunicorn {HTTP_WORKERS} sync workers, {HTTP_CLIENTS} client "
           f"processes, {slices}", over_http)


if __name__ == "__main__":
    main()
