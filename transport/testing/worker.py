"""Run a real Celery worker process against the test database, the way production runs it."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

from transport.management.child_env import database_url

PR_SET_PDEATHSIG = 1


def wait_for(condition: Callable[[], bool], *, within: float = 60.0, what: str = "condition") -> None:
    """Poll until `condition()` holds; raise if it never does (a liveness bound, not a timing test)."""
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


@contextmanager
def worker_process(*, extra_env: dict[str, str] | None = None, log_path: Path | None = None,
                   concurrency: int = 1) -> Iterator[subprocess.Popen[bytes]]:
    """Start `celery worker` (prefork) on this run's queue; stop it on exit."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings_test"),
        "DATABASE_URL": database_url(connection.settings_dict),  # the test database, socket included
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
        **(extra_env or {}),
    }
    log = open(log_path, "ab") if log_path else None  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork", f"--concurrency={concurrency}",
         "--loglevel=INFO", "--without-mingle", "--without-gossip", "-n", f"test-{uuid.uuid4().hex[:8]}@%h"],
        cwd=settings.BASE_DIR, env=env, stdout=log or subprocess.DEVNULL, stderr=subprocess.STDOUT,
        start_new_session=True, preexec_fn=_die_with_parent,
    )
    try:
        yield process
    finally:
        stop_process_group(process)
        if log:
            log.close()


def _die_with_parent() -> None:
    """Linux: the worker gets SIGKILL if the test process dies first, so no run leaves one behind."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def stop_process_group(process: subprocess.Popen[bytes], *, sig: int = signal.SIGTERM, wait: float = 30.0) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, sig)
        process.wait(wait)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass


def kill_process_group(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the worker and its children at once: no shutdown, no acks, connections dropped."""
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def delete_queues(names: set[str]) -> None:
    """Remove a test run's own queues from the broker (missing ones are fine)."""
    from celery import current_app

    with current_app.connection_for_write() as broker:
        for name in names:
            # kombu's stubs type a channel as StdChannel, which declares neither queue_delete nor close;
            # the channels of both transports (py-amqp, redis) have them
            channel: Any = broker.channel()
            try:
                channel.queue_delete(name)
            except Exception:  # noqa: S110  (never declared, or already gone: nothing to clean)
                pass
            finally:
                with contextlib.suppress(Exception):
                    channel.close()
