"""`run_platform --check` against the services of this environment (the test database, Redis, broker)."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import threading
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest
from django.conf import settings
from websockets.sync.client import connect
from websockets.typing import Subprotocol

from apps.auth.demo import ADMIN_EMAIL
from apps.auth.models import User
from apps.company import api as company_api
from apps.ticketing.demo import PASSENGER
from apps.tracking import live
from apps.tracking.demo import DEMO_TRACKER_IDENTIFIER
from apps.tracking.models import PositionRecord, TrackerDevice
from tests.runtime.launcher import (
    kill_marked,
    marked_processes,
    new_marker,
    read_until,
    run_platform,
    start_platform,
    started_children,
)
from transport.demo import DEMO_SIMULATED_BUS
from transport.management.child_env import database_url
from transport.testing.network import free_port
from transport.testing.worker import wait_for

# transaction=True: the launcher's children commit to the test database from other processes, so the
# rows they write must be flushed afterwards rather than rolled back.
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# the local emulators run_platform starts when no provider is configured, in the order it starts them
EMULATORS = ["payment-emulators", "africastalking-emulator", "twilio-emulator", "gemini-emulator"]


@pytest.fixture
def marker() -> Iterator[str]:
    marker = new_marker()
    yield marker
    kill_marked(marker)


@pytest.fixture
def launch_env(tmp_path: Path) -> dict[str, str]:
    """This environment's services, but the test database and a private folder for static files and beat."""
    return {
        **os.environ,
        "DATABASE_URL": database_url(settings.DATABASES["default"]),
        "TRANSPORT_VAR_DIR": str(tmp_path / "var"),
    }


def test_check_starts_every_process_answers_ready_and_stops_them_all(launch_env, marker):
    port = free_port()

    result = run_platform(["--check", "--port", str(port)], env=launch_env, marker=marker)

    assert result.returncode == 0, result.stdout
    children = started_children(result.stdout)
    assert sorted(children) == sorted([*EMULATORS, "beat", "bus-simulator", "web", "worker"])
    assert '"GET /health/ready HTTP/1.1" 200 OK' in result.stdout
    assert f"| API docs     http://127.0.0.1:{port}/api/docs/" in result.stdout
    assert re.search(rf"\|   platform admin +{re.escape(ADMIN_EMAIL)} / transport-demo +\|", result.stdout)
    assert result.stdout.rstrip().endswith("Stopped.")
    assert [pid for pid in children.values() if psutil.pid_exists(pid)] == []
    assert marked_processes(marker) == []
    assert User.objects.filter(email=ADMIN_EMAIL, is_superuser=True).count() == 1


def test_check_with_no_worker_starts_only_the_web_server(launch_env, marker):
    port = free_port()

    result = run_platform(["--check", "--no-worker", "--port", str(port)], env=launch_env, marker=marker)

    assert result.returncode == 0, result.stdout
    assert list(started_children(result.stdout)) == [*EMULATORS, "web", "bus-simulator"]
    assert marked_processes(marker) == []


def test_with_the_demo_simulation_off_no_bus_simulator_starts(launch_env, marker):
    result = run_platform(["--check", "--no-worker", "--port", str(free_port())],
                          env={**launch_env, "TRACKING_DEMO_SIMULATION": "0"}, marker=marker)

    assert result.returncode == 0, result.stdout
    assert list(started_children(result.stdout)) == [*EMULATORS, "web"]
    assert marked_processes(marker) == []


def test_the_simulated_bus_moves_over_the_trips_websocket_once_the_platform_is_ready(launch_env, marker):
    live.client().delete(live.bus_key(DEMO_SIMULATED_BUS))  # where an earlier run left it: a jump to wait out
    port = free_port()
    launcher = start_platform(["--no-worker", "--port", str(port)], env=launch_env, marker=marker)
    started = read_until(launcher, "Press Ctrl-C to stop every process started here.")
    logged: list[str] = []
    drained = threading.Thread(target=lambda: logged.extend(launcher.stdout or []), daemon=True)
    drained.start()
    try:
        run_id = company_api.bus_current_trip_id(bus_id=DEMO_SIMULATED_BUS)
        token = _call(f"http://127.0.0.1:{port}", "POST", "/api/v1/auth/token",
                      {"identifier": "dispatcher@alpha.demo.transport.dev", "password": "transport-demo"})["access"]
        with connect(f"ws://127.0.0.1:{port}/ws/trips/{run_id}/", subprotocols=[Subprotocol("bearer"),
                                                                                 Subprotocol(token)],
                     open_timeout=30) as socket:
            snapshot = json.loads(socket.recv(timeout=30))
            moves = [_next_position_frame(socket) for _ in range(2)]
    finally:
        launcher.send_signal(signal.SIGINT)
        drained.join(timeout=60)
        launcher.wait(timeout=60)

    assert launcher.returncode == 0, started + "".join(logged)
    assert "bus-simulator" in started_children(started)
    assert snapshot["type"] == "snapshot"
    # two fixes, five seconds apart, each for the run, reached the watcher
    (first,), (second,) = (frame["buses"] for frame in moves)
    assert (first["bus_id"], first["trip_id"], second["trip_id"]) == (str(DEMO_SIMULATED_BUS), str(run_id), str(run_id))
    assert second["fixed_at"] > first["fixed_at"]
    tracker = TrackerDevice.objects.get(identifier=DEMO_TRACKER_IDENTIFIER)
    recorded = set(PositionRecord.objects.filter(bus_id=DEMO_SIMULATED_BUS).values_list("trip_id", "source"))
    assert recorded == {(run_id, f"device:{tracker.pk}")}
    assert any(f"Driving trip {run_id} (Nairobi - Thika) with tracker {DEMO_TRACKER_IDENTIFIER}" in line
               for line in [*started.splitlines(), *logged])
    assert marked_processes(marker) == []


def _next_position_frame(socket) -> dict:
    """The next frame moving a bus (a bound on waiting: the simulator reports every 5 s)."""
    while True:
        frame = json.loads(socket.recv(timeout=60))
        if frame["type"] == "positions":
            return frame


def test_a_child_that_dies_stops_the_others_and_fails(launch_env, marker):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as occupant:
        occupant.bind(("127.0.0.1", 0))
        occupant.listen()
        taken_port = occupant.getsockname()[1]

        result = run_platform(["--check", "--port", str(taken_port)], env=launch_env, marker=marker)

    assert result.returncode == 1, result.stdout
    # the demo's children start once the server is ready, which it never was
    assert sorted(started_children(result.stdout)) == sorted([*EMULATORS, "beat", "web", "worker"])
    # uvicorn exits with 3 when it cannot start (here: the port is taken)
    assert "web exited with code 3 before the platform was ready; stopped the others." in result.stdout
    assert "Transport platform is running" not in result.stdout
    assert marked_processes(marker) == []


def test_ctrl_c_stops_every_process_and_exits_zero(launch_env, marker):
    launcher = start_platform(["--port", str(free_port())], env=launch_env, marker=marker)
    started = read_until(launcher, "Press Ctrl-C to stop every process started here.")
    children = started_children(started)
    assert sorted(children) == sorted([*EMULATORS, "beat", "bus-simulator", "web", "worker"])
    assert len(marked_processes(marker)) >= 8  # the launcher, its seven children and the worker's pool

    launcher.send_signal(signal.SIGINT)
    rest, _ = launcher.communicate()

    assert launcher.returncode == 0, started + rest
    assert rest.rstrip().endswith("Stopped.")
    assert [pid for pid in children.values() if psutil.pid_exists(pid)] == []
    assert marked_processes(marker) == []


def test_a_child_dying_after_start_stops_the_others_and_fails(launch_env, marker):
    launcher = start_platform(["--port", str(free_port())], env=launch_env, marker=marker)
    started = read_until(launcher, "Press Ctrl-C to stop every process started here.")
    children = started_children(started)

    os.kill(children["beat"], signal.SIGKILL)
    rest, _ = launcher.communicate()

    assert launcher.returncode == 1, started + rest
    assert "beat exited with code -9; stopped the others." in rest
    assert [pid for pid in children.values() if psutil.pid_exists(pid)] == []
    assert marked_processes(marker) == []


def test_the_demo_walkthrough_pays_with_mpesa_texts_the_ticket_and_answers_the_admins_question(launch_env, marker):
    port = free_port()
    launcher = start_platform(["--port", str(port)], env=launch_env, marker=marker)
    banner = read_until(launcher, "every question asked, its SQL and the guard's decision")  # its last line
    logged: list[str] = []
    drained = threading.Thread(target=lambda: logged.extend(launcher.stdout or []), daemon=True)  # they keep logging
    drained.start()
    try:
        base = f"http://127.0.0.1:{port}"
        hold_line = next((line for line in banner.splitlines() if "/api/v1/bookings -H" in line and '"3A"' in line),
                         None)
        assert hold_line is not None, banner
        hold_body = json.loads(hold_line.split("-d '", 1)[1].rsplit("'", 1)[0])
        token = _call(base, "POST", "/api/v1/auth/token", {"identifier": PASSENGER, "password": "transport-demo"})
        bearer = {"Authorization": f"Bearer {token['access']}"}

        booking = _call(base, "POST", "/api/v1/bookings", hold_body, {**bearer, "Idempotency-Key": str(uuid.uuid4())})
        path = f"/api/v1/bookings/{booking['id']}"
        paying = _call(base, "POST", f"{path}/payments", {"provider": "mpesa", "phone": "+254708374149"},
                       {**bearer, "Idempotency-Key": str(uuid.uuid4())})
        try:
            wait_for(lambda: _call(base, "GET", path, None, bearer)["state"] == "confirmed", within=60,
                     what="the emulator's callback to confirm the booking")
        except AssertionError:
            quiet = [line for line in logged if "GET /api/v1/bookings" not in line and "celery.beat" not in line]
            raise AssertionError("".join(quiet)[-9000:]) from None
        confirmed = _call(base, "GET", path, None, bearer)
        inbox_line = next(line for line in banner.splitlines() if "/_emu/messages?to=" in line)
        inbox = inbox_line.split('"')[1]
        wait_for(lambda: any(message["status"] == "accepted" for message in _call(inbox, "GET", "", None)["messages"]),
                 within=60, what="the sale's SMS to reach the SMS gateway's emulator")
        sms = _call(inbox, "GET", "", None)["messages"]
        question_line = next(line for line in banner.splitlines() if "/api/v1/ai/questions" in line)
        asker = question_line.split("$(token ", 1)[1].split(")", 1)[0]
        admin = _call(base, "POST", "/api/v1/auth/token", {"identifier": asker, "password": "transport-demo"})
        answer = _call(base, "POST", "/api/v1/ai/questions", json.loads(question_line.split("-d '", 1)[1][:-1]),
                       {"Authorization": f"Bearer {admin['access']}"})
    finally:
        launcher.send_signal(signal.SIGINT)
        drained.join(timeout=60)
        launcher.wait(timeout=60)

    assert paying["payment"]["next_action"]["kind"] == "approve_on_phone"
    assert [(t["seat"], len(t["number"])) for t in confirmed["tickets"]] == [("3A", 8)]
    assert [(message["to"], confirmed["tickets"][0]["number"] in message["text"]) for message in sms] == [
        ("+254700000001", True)]
    # the demo's question, answered by the Gemini emulator's script over the demo company's history
    assert asker == "company-admin@alpha.demo.transport.dev"
    assert answer["columns"] == ["channel", "seats"] and "reporting_sales" in answer["sql"]
    assert sorted(row[0] for row in answer["rows"]) == ["counter", "online", "pos"]
    assert all(int(row[1]) > 0 for row in answer["rows"])
    assert marked_processes(marker) == []


def _call(base: str, method: str, path: str, body: dict | None, headers: dict[str, str] | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{base}{path}", data=data, method=method,  # noqa: S310 (our loopback server)
                                     headers={"Content-Type": "application/json", **(headers or {})})
    with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 (our own loopback server)
        return json.loads(answer.read())
