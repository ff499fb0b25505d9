"""Structured logs carry the request id of the work they belong to, across web and Celery.

The web side: `transport.http.request_id.RequestIdMiddleware` sets `request_id_var` for each request.
The Celery side (connected by `connect_celery_signals()` at start-up, in web and worker alike):
publishing a task copies the current id into the message headers; the worker sets it around the task,
so its log lines, and any task it publishes in turn, carry the id of the request that caused them.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar, Token
from typing import Any

from celery.signals import before_task_publish, task_postrun, task_prerun

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

CELERY_HEADER = "request_id"

# the token of each running task, so postrun restores what was there before prerun
_task_tokens: dict[str, Token[str | None]] = {}


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        request_id = request_id_var.get()
        if request_id is None:
            # django.request logs a 4xx/5xx after the middleware has returned: the id is on the request
            request_id = getattr(getattr(record, "request", None), "request_id", None)
        record.request_id = request_id
        return True


def add_request_id_header(headers: dict[str, Any] | None = None, **_: Any) -> None:
    """before_task_publish: the message carries the id of the work that publishes it."""
    request_id = request_id_var.get()
    if request_id and headers is not None:
        headers.setdefault(CELERY_HEADER, request_id)


def enter_task(task_id: str | None = None, task: Any = None, **_: Any) -> None:
    """task_prerun: the task runs under the id its message carries (or none: never a stale one)."""
    if task_id is None or task is None:
        return
    request_id = request_id_of(task.request)
    if request_id is None and getattr(task.request, "is_eager", False):
        request_id = request_id_var.get()  # run in place by apply(): still inside the caller's work
    _task_tokens[task_id] = request_id_var.set(request_id)


def leave_task(task_id: str | None = None, **_: Any) -> None:
    token = _task_tokens.pop(task_id, None) if task_id is not None else None
    if token is None:
        return
    try:
        request_id_var.reset(token)
    except ValueError:  # postrun ran in another context than prerun (a pool that switches threads)
        request_id_var.set(None)


def request_id_of(task_request: Any) -> str | None:
    """A worker puts message headers on the task request; apply(headers=...) keeps them in `.headers`."""
    request_id = getattr(task_request, CELERY_HEADER, None)
    if request_id is None:
        request_id = (getattr(task_request, "headers", None) or {}).get(CELERY_HEADER)
    return str(request_id) if request_id else None


def connect_celery_signals() -> None:
    """Idempotent: dispatch_uid keeps a second call (a re-run ready()) from connecting twice."""
    before_task_publish.connect(add_request_id_header, dispatch_uid="transport.logging.add_request_id_header")
    task_prerun.connect(enter_task, dispatch_uid="transport.logging.enter_task")
    task_postrun.connect(leave_task, dispatch_uid="transport.logging.leave_task")
