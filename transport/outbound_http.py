"""One pool of HTTP connections per process for every call to an external provider (payments, SMS gateways).

Making an httpx client costs about 20 ms (its TLS context), far more than a request to a nearby API, and a
fresh client also opens a fresh connection every time. The pool is made on first use in each process (never
inherited through a fork: gunicorn and Celery fork their workers), and is safe to share between threads.
"""

from __future__ import annotations

import os
import threading

import httpx

LIMITS = httpx.Limits(max_connections=64, max_keepalive_connections=16, keepalive_expiry=30)
_pools: dict[int, httpx.Client] = {}
_lock = threading.Lock()


def pool() -> httpx.Client:
    pid = os.getpid()
    client = _pools.get(pid)
    if client is None:
        with _lock:
            client = _pools.get(pid)
            if client is None:
                _pools.clear()  # a parent's pool, inherited through a fork, is not ours to use
                client = _pools[pid] = httpx.Client(limits=LIMITS)
    return client
