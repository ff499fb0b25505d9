"""docker/healthcheck.py, the containers' health probe, against the real servers and files."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from tests.deploy.tooling import DOCKER_DIR
from transport.testing.network import free_port

HEALTHCHECK = DOCKER_DIR / "healthcheck.py"


def probe(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(HEALTHCHECK), *arguments], capture_output=True, text=True, timeout=30, check=False
    )


@pytest.mark.slow
def test_web_is_healthy_when_gunicorn_answers(web_server):
    result = probe("http", f"http://127.0.0.1:{web_server.port}/health/live")

    assert result.returncode == 0
    assert result.stdout == f"http://127.0.0.1:{web_server.port}/health/live answered 200\n"


@pytest.mark.slow
def test_ws_is_healthy_when_the_asgi_server_answers(ws_server):
    # the ws service's own command line (uvicorn flags, JSON log config) serving config.asgi
    result = probe("http", f"http://127.0.0.1:{ws_server.port}/health/live")

    assert result.returncode == 0
    assert result.stdout.endswith("answered 200\n")


@pytest.mark.slow
def test_a_host_django_does_not_serve_is_unhealthy(web_server):
    result = probe("http", f"http://127.0.0.1:{web_server.port}/health/live", "--host", "elsewhere.example")

    assert result.returncode == 1
    assert result.stdout.endswith("answered 400\n")


def test_nothing_listening_is_unhealthy():
    port = free_port()

    result = probe("http", f"http://127.0.0.1:{port}/health/live")

    assert result.returncode == 1
    assert result.stdout.startswith(f"http://127.0.0.1:{port}/health/live unreachable:")


def test_a_recently_written_schedule_is_fresh(tmp_path):
    (tmp_path / "celerybeat-schedule").write_bytes(b"entries")

    result = probe("fresh", str(tmp_path / "celerybeat-schedule*"), "600")

    assert result.returncode == 0


def test_a_schedule_untouched_past_the_limit_is_stale(tmp_path):
    schedule = tmp_path / "celerybeat-schedule.db"
    schedule.write_bytes(b"entries")
    an_hour_ago = time.time() - 3600
    os.utime(schedule, (an_hour_ago, an_hour_ago))

    result = probe("fresh", str(tmp_path / "celerybeat-schedule*"), "600")

    assert result.returncode == 1
    assert "limit 600s" in result.stdout


def test_a_missing_schedule_is_stale(tmp_path):
    result = probe("fresh", str(tmp_path / "celerybeat-schedule*"), "600")

    assert result.returncode == 1
    assert result.stdout == f"no file matches {tmp_path / 'celerybeat-schedule*'}\n"
