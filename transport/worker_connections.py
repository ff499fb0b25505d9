"""Database connections in Celery workers are reused across tasks, like Django reuses them across
requests: Celery's own Django fixup would close them before and after every task (CELERY_DB_REUSE_MAX
unset), which cost a new connection, about 15 ms here, per event handled. Instead, around each task,
Django's close_old_connections() drops only connections that are broken or older than CONN_MAX_AGE."""

from __future__ import annotations

from typing import Any

from celery.signals import task_postrun, task_prerun
from django.db import close_old_connections


def _close_old_connections(task: Any = None, **_: Any) -> None:
    if getattr(getattr(task, "request", None), "is_eager", False):
        return  # run in place by apply(): the caller's connection and transaction are not ours to end
    close_old_connections()


def connect_celery_signals() -> None:
    task_prerun.connect(_close_old_connections, dispatch_uid="transport.worker_connections.prerun", weak=False)
    task_postrun.connect(_close_old_connections, dispatch_uid="transport.worker_connections.postrun", weak=False)
