"""With no DATABASE_URL / REDIS_URL / CELERY_BROKER_URL the platform starts its own PostgreSQL and Redis.

A machine with only Python runs everything: `run_platform --check` boots the embedded servers in a
fresh folder, migrates, answers /health/ready, and stops the servers it started on the way out.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.runtime.launcher import (
    PROJECT_DIR,
    kill_marked,
    marked_processes,
    new_marker,
    run_platform,
    started_children,
)
from transport import embedded
from transport.testing.network import free_port

SERVICE_VARIABLES = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL")
# a test that needs no database: the run below only loads the settings, which start the servers
DATABASE_FREE_TEST = ("tests/runtime/test_embedded_mode.py::"
                      "test_a_redis_socket_path_too_long_for_unix_sockets_moves_to_a_short_temp_path")
# questions run on a second connection that logs in as the reporting role (over the embedded server's socket)
QUESTION_TESTS = ("apps/ai/tests/test_reporting_login.py::test_the_reporting_connection_logs_in_as_the_role",
                  "apps/ai/tests/test_tenant_binding.py::test_concurrent_runs_for_two_companies_each_read_their_own_rows")


def embedded_environment(var_dir: Path) -> dict[str, str]:
    """A newcomer's environment: no service URL set, the data under `var_dir`."""
    env = {name: value for name, value in os.environ.items() if name not in SERVICE_VARIABLES}
    env["TRANSPORT_VAR_DIR"] = str(var_dir)
    return env


def run_pytest(*tests: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests],
        env=env, cwd=PROJECT_DIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False,
    )


@pytest.fixture
def var_dir() -> Iterator[Path]:
    # A folder of its own, reachable by the unprivileged user PostgreSQL runs as when tests run as root
    # (pytest's tmp_path is 0700).
    folder = Path(tempfile.mkdtemp(prefix="transport-embedded-"))
    folder.chmod(0o755)
    yield folder
    embedded.stop_postgres(folder / "postgres" / "data")
    embedded.stop_redis(folder / "redis")
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def marker() -> Iterator[str]:
    marker = new_marker()
    yield marker
    kill_marked(marker)


@pytest.mark.slow
def test_embedded_mode_boots_migrates_answers_ready_and_stops_its_servers(var_dir, marker):
    env = {**embedded_environment(var_dir), "DJANGO_SETTINGS_MODULE": "config.settings"}
    port = free_port()

    result = run_platform(["--check", "--port", str(port)], env=env, marker=marker)

    assert result.returncode == 0, result.stdout
    assert (var_dir / "postgres" / "data" / "PG_VERSION").is_file()
    assert "Applying identity.0001_initial... OK" in result.stdout
    assert sorted(started_children(result.stdout)) == [
        "africastalking-emulator", "beat", "bus-simulator", "gemini-emulator", "payment-emulators", "twilio-emulator",
        "web", "worker"]
    assert '"GET /health/ready HTTP/1.1" 200 OK' in result.stdout
    assert "| Transport platform is running" in result.stdout
    assert result.stdout.rstrip().endswith("Stopped the embedded Redis.\nStopped the embedded PostgreSQL.\nStopped.")
    assert embedded.postgres_pid(var_dir / "postgres" / "data") is None
    assert embedded.redis_pid(var_dir / "redis") is None
    assert marked_processes(marker) == []


@pytest.mark.slow
def test_a_test_run_stops_the_embedded_servers_it_started(var_dir):
    result = run_pytest(DATABASE_FREE_TEST, env=embedded_environment(var_dir))

    assert result.returncode == 0, result.stdout
    assert "1 passed" in result.stdout
    assert (var_dir / "postgres" / "data" / "PG_VERSION").is_file()  # it did start them
    assert (var_dir / "redis" / "redis.log").is_file()
    assert embedded.postgres_pid(var_dir / "postgres" / "data") is None
    assert embedded.redis_pid(var_dir / "redis") is None


@pytest.mark.slow
def test_a_test_run_leaves_running_the_embedded_servers_it_found(var_dir):
    env = embedded_environment(var_dir)
    # another process started them (as `make run` in another terminal would) and has not stopped them
    start_them = "from pathlib import Path; from transport import embedded; import sys; " \
                 "embedded.postgres_url(Path(sys.argv[1]) / 'postgres' / 'data'); " \
                 "embedded.redis_url(Path(sys.argv[1]) / 'redis')"
    subprocess.run([sys.executable, "-c", start_them, str(var_dir)], env=env, cwd=PROJECT_DIR, check=True)
    postgres = embedded.postgres_pid(var_dir / "postgres" / "data")
    redis = embedded.redis_pid(var_dir / "redis")

    result = run_pytest(DATABASE_FREE_TEST, env=env)

    assert result.returncode == 0, result.stdout
    assert "1 passed" in result.stdout
    assert postgres is not None
    assert redis is not None
    assert embedded.postgres_pid(var_dir / "postgres" / "data") == postgres
    assert embedded.redis_pid(var_dir / "redis") == redis


@pytest.mark.slow
def test_questions_run_as_the_reporting_role_on_the_embedded_server(var_dir):
    result = run_pytest(*QUESTION_TESTS, env=embedded_environment(var_dir))

    assert result.returncode == 0, result.stdout
    assert "2 passed" in result.stdout


def test_a_redis_socket_path_too_long_for_unix_sockets_moves_to_a_short_temp_path():
    deep = Path("/srv") / ("d" * 120)

    socket = embedded.redis_socket(deep)

    assert socket.parent.parent == Path(tempfile.gettempdir())
    assert socket.name == "redis.sock"
    assert len(str(socket)) <= embedded.MAX_SOCKET_PATH
    assert embedded.redis_socket(deep) == socket
    assert embedded.redis_socket(Path("/srv/short")) == Path("/srv/short/redis.sock")
