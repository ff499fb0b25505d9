"""A gunicorn (sync workers) on a free loopback port for the HTTP benchmarks, started and stopped whole."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from transport.testing.worker import stop_process_group

ROOT = Path(__file__).resolve().parent.parent
START_SECONDS = 30


def start(*, app: str, port: int, workers: int, answers: Callable[[int], bool],
          env: dict[str, str] | None = None) -> subprocess.Popen:
    """Start `gunicorn app` and wait until `answers(port)` says it serves; raise if it never does."""
    server = subprocess.Popen(  # noqa: S603 (our own interpreter, fixed arguments)
        [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--worker-class", "sync",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning", app],
        cwd=ROOT, start_new_session=True, env={**os.environ, **(env or {})},
    )
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        try:
            if answers(port):
                return server
        except OSError:
            time.sleep(0.2)
    stop(server)
    raise RuntimeError("gunicorn did not answer in time")


def stop(server: subprocess.Popen) -> None:
    """Stop the arbiter and its workers: the process group this run started."""
    stop_process_group(server, wait=15)
