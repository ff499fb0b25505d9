"""Identity's Redis client (revocation marks, rate counters): the kernel's quick client."""

from __future__ import annotations

from transport.redis_client import client_for as client

__all__ = ["client"]
