"""Fixtures of the deployment tests: the compose model, and the gateway running in front of real servers.

Nothing here uses the database fixture: these tests read files and start local processes on loopback
ports, with service URLs that point nowhere (tooling.offline_service_environment).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests.deploy import nginx_copy
from tests.deploy.compose_config import REQUIRED_SECRETS, env_example_with, run_compose_config
from tests.deploy.tooling import (
    COMPOSE_FILE,
    REPO_ROOT,
    VENV_BIN,
    nginx_binary,
    offline_service_environment,
    stop,
    wait_for_port,
)
from transport.management.commands.run_platform import WS_IMPLEMENTATION
from transport.testing.network import free_port


@pytest.fixture(scope="session")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="session")
def resolved_compose() -> dict:
    """The compose model after interpolation and merges, as Docker would run it."""
    result = run_compose_config(env_example_with(REQUIRED_SECRETS))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def local_command(command: list[str], replacements: dict[str, str]) -> list[str]:
    """A compose command run from this checkout: the venv's executables, the repository instead of /app."""
    program, *arguments = command
    arguments = [replacements.get(argument, argument).replace("/app/", f"{REPO_ROOT}/") for argument in arguments]
    return [str(VENV_BIN / program), *arguments]


@dataclass(frozen=True)
class Gateway:
    url: str
    port: int
    web_port: int
    static_dir: Path
    nginx_log: Path
    web_log: Path


@dataclass(frozen=True)
class Server:
    port: int
    log: Path


@pytest.fixture(scope="session")
def world_readable_dir() -> Iterator[Path]:
    # nginx workers started by root run as an unprivileged user, who must read the static files.
    directory = Path(tempfile.mkdtemp(prefix="deploy-tests-"))
    directory.chmod(0o755)
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


def _start(command: list[str], log: Path, port: int, environment: dict[str, str]) -> subprocess.Popen:
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT)
    wait_for_port(port, process, log)
    return process


def _start_nginx(nginx: str, directory: Path, *, web_port: int, ws_port: int,
                 static_dir: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    config = nginx_copy.runnable_copy(
        directory, listen_port=port, web_port=web_port, ws_port=ws_port, static_dir=static_dir
    )
    command = [nginx, "-p", str(directory), "-c", str(config), "-e", "stderr",
               "-g", f"daemon off; pid {directory / 'nginx.pid'};"]
    return _start(command, directory / "nginx.log", port, dict(os.environ)), port


@pytest.fixture(scope="session")
def nginx() -> str:
    """The nginx binary (skips, or fails under CI, where it is absent). The gateway fixtures ask for it first, so
    a skip starts no upstream server."""
    return nginx_binary()


@pytest.fixture(scope="session")
def web_server(resolved_compose: dict, world_readable_dir: Path) -> Iterator[Server]:
    """gunicorn serving config.wsgi with the web service's command and docker/gunicorn.conf.py."""
    port = free_port()
    environment = offline_service_environment(world_readable_dir)
    environment.update(GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_WORKERS="1",
                       GUNICORN_CONTROL_SOCKET=str(world_readable_dir / "gunicorn.ctl"))
    log = world_readable_dir / "web.log"
    process = _start(local_command(resolved_compose["services"]["web"]["command"], {}), log, port, environment)
    yield Server(port=port, log=log)
    stop(process)


@pytest.fixture(scope="session")
def ws_server(resolved_compose: dict, world_readable_dir: Path) -> Iterator[Server]:
    """uvicorn serving config.asgi with the ws service's command line."""
    port = free_port()
    local_listener = {"--host=0.0.0.0": "--host=127.0.0.1", "--port=8001": f"--port={port}"}
    command = local_command(resolved_compose["services"]["ws"]["command"], local_listener)
    log = world_readable_dir / "ws.log"
    process = _start(command, log, port, offline_service_environment(world_readable_dir))
    yield Server(port=port, log=log)
    stop(process)


@pytest.fixture(scope="session")
def echo_server(world_readable_dir: Path) -> Iterator[Server]:
    port = free_port()
    command = [str(VENV_BIN / "uvicorn"), "tests.deploy.echo_asgi:app", "--host=127.0.0.1", f"--port={port}",
               "--lifespan=off", f"--ws={WS_IMPLEMENTATION}"]
    log = world_readable_dir / "echo.log"
    process = _start(command, log, port, offline_service_environment(world_readable_dir))
    yield Server(port=port, log=log)
    stop(process)


@pytest.fixture(scope="session")
def gateway(nginx: str, world_readable_dir: Path, web_server: Server, echo_server: Server) -> Iterator[Gateway]:
    """nginx with the gateway configuration: /api/, /admin/, /health/ to gunicorn, /ws/ to the echo upstream."""
    static_dir = world_readable_dir / "static"
    static_dir.mkdir()
    directory = world_readable_dir / "nginx"
    directory.mkdir()
    process, port = _start_nginx(nginx, directory, web_port=web_server.port, ws_port=echo_server.port,
                                 static_dir=static_dir)
    yield Gateway(url=f"http://127.0.0.1:{port}", port=port, web_port=web_server.port, static_dir=static_dir,
                  nginx_log=directory / "nginx.log", web_log=web_server.log)
    stop(process)


@pytest.fixture(scope="session")
def gateway_without_upstreams(nginx: str, world_readable_dir: Path) -> Iterator[str]:
    """The same gateway with nothing listening behind it."""
    directory = world_readable_dir / "nginx-alone"
    directory.mkdir()
    closed_port = free_port()
    process, port = _start_nginx(nginx, directory, web_port=closed_port, ws_port=closed_port,
                                 static_dir=world_readable_dir / "no-static")
    yield f"http://127.0.0.1:{port}"
    stop(process)
